package dev.agentloop.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * What every scenario works with: the run's settings, the load generator's Vert.x (one event loop,
 * so no locks), the report the figures go to, the ports and configuration of the agentloop JVMs
 * it starts, and plain HTTP calls for probes.
 */
final class BenchContext implements AutoCloseable {

  static final String STREAM_MODEL = "bench-stream";
  static final int STREAM_FIRST_TOKEN_MS = 200;
  static final int STREAM_GAP_MS = 1000;
  /** Connections of the closed-loop throughput runs. */
  static final int CONNECTIONS = 64;

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** The one-JVM suite the request, fan-out and local-store scenarios share, and what it answers. */
  record SharedSuite(ServerProcess process, int bodySize, Target gateway, Target mock) {
  }

  final boolean quick;
  final Path repo;
  final Path benchJar;
  final List<String> serverFlags;
  final Path work;
  final int gwPort;
  final int llmPort;
  private final Path agentloopJar;
  private final Vertx vertx;
  private final Report report;
  private final Loads loads;
  private Path config;
  private SharedSuite shared;
  private boolean conversationsAvailable;

  BenchContext(Map<String, String> args) throws IOException {
    quick = args.containsKey("--quick");
    repo = Path.of(args.getOrDefault("--repo", ".")).toAbsolutePath().normalize();
    agentloopJar = Path.of(args.getOrDefault("--agentloop-jar", repo.resolve("app/target/agentloop.jar").toString()));
    benchJar = Path.of(args.getOrDefault("--bench-jar", repo.resolve("bench/target/agentloop-bench.jar").toString()));
    serverFlags = args.getOrDefault("--server-flags", "").isBlank() ? List.of()
        : Arrays.asList(args.get("--server-flags").trim().split("\\s+"));
    work = Files.createTempDirectory("agentloop-bench-");
    gwPort = freePort();
    llmPort = freePort();
    // One event loop: every callback of the load generator runs on one thread, no locks needed.
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2));
    report = new Report(quick, repo, serverFlags);
    loads = new Loads(vertx, report, quick);
  }

  Vertx vertx() {
    return vertx;
  }

  Report report() {
    return report;
  }

  Loads loads() {
    return loads;
  }

  /** The shared one-JVM suite while the runner holds it, else null. */
  SharedSuite shared() {
    return shared;
  }

  void shared(SharedSuite suite) {
    this.shared = suite;
  }

  /** Whether the shared suite answered the conversation API (the PostgreSQL scenario needs it). */
  boolean conversationsAvailable() {
    return conversationsAvailable;
  }

  void conversationsAvailable(boolean available) {
    this.conversationsAvailable = available;
  }

  // ---- agentloop JVMs

  /** The configuration every agentloop JVM of the run reads, written once. */
  Path config() throws IOException {
    if (config != null) {
      return config;
    }
    int tokens = quick ? 150 : 300;
    String yaml = """
        # Written by the bench: the default models plus a slow streaming profile for the held-streams scenario.
        gateway:
          timeouts:
            total_ms: 600000
        llm:
          models:
            - { id: mock-fast,      first_token_ms: 0,    per_token_ms: 0,  tokens: 16 }
            - { id: mock-realistic, first_token_ms: 200,  per_token_ms: 20, tokens: 32 }
            - { id: mock-slow,      first_token_ms: 5000, per_token_ms: 50, tokens: 32 }
            - { id: mock-flaky,     first_token_ms: 50,   per_token_ms: 10, tokens: 16, failure_rate: 0.3 }
            - { id: mock-echo,      first_token_ms: 0,    per_token_ms: 0,  echo: true }
            - { id: %s, first_token_ms: %d, per_token_ms: %d, tokens: %d }
        """.formatted(STREAM_MODEL, STREAM_FIRST_TOKEN_MS, STREAM_GAP_MS, tokens);
    config = work.resolve("bench-config.yaml");
    Files.writeString(config, yaml);
    return config;
  }

  /** Starts the one-JVM suite on the run's gateway and mock ports. */
  ServerProcess startSuite(String name, Map<String, String> extraEnv) throws IOException, InterruptedException {
    return startSuite(name, gwPort, llmPort, extraEnv);
  }

  ServerProcess startSuite(String name, int httpPort, int mockPort, Map<String, String> extraEnv)
      throws IOException, InterruptedException {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("AGENTLOOP_HTTP_PORT", Integer.toString(httpPort));
    env.put("AGENTLOOP_LLM_HTTP_PORT", Integer.toString(mockPort));
    env.put("AGENTLOOP_CONFIG", config().toString());
    env.put("AGENTLOOP_DATA_DIR", work.resolve("data").toString());
    env.putAll(extraEnv);
    List<String> flags = new ArrayList<>(serverFlags);
    String extra = System.getenv("BENCH_AGENTLOOP_JAVA_OPTS");
    if (extra != null && !extra.isBlank()) {
      flags.addAll(Arrays.asList(extra.trim().split("\\s+")));
    }
    Path gcLog = work.resolve("agentloop-gc-" + System.nanoTime() + ".log");
    flags.add("-Xlog:gc:file=" + gcLog);
    return ServerProcess.start(name, ServerProcess.java(flags, "-jar", agentloopJar.toString()), env,
        work.resolve("agentloop-" + httpPort + "-" + System.nanoTime() + ".log"),
        "http://127.0.0.1:" + httpPort + "/health/live").gcLog(gcLog);
  }

  /** Size of a mock-fast completion's body: the bare server answers bodies of that size. */
  static int probeSize(int port) throws IOException, InterruptedException {
    HttpResponse<byte[]> r = post(port, "/v1/chat/completions", Target.chat("mock-fast", false));
    if (r.statusCode() != 200) {
      throw new IOException("mock-fast completion answered " + r.statusCode() + ": " + new String(r.body()));
    }
    return r.body().length;
  }

  // ---- plain HTTP for probes and set-up, outside the measured load

  static HttpResponse<byte[]> post(int port, String path, String json) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("content-type", "application/json").timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The {@code /metrics} text of the server on {@code port}, or "" when it does not answer. */
  static String scrape(int port) {
    try {
      HttpResponse<String> r = get(port, "/metrics");
      return r.statusCode() == 200 ? r.body() : "";
    } catch (IOException | InterruptedException e) {
      return "";
    }
  }

  /** The machine's 1-minute load average: other work competing for the same two cores. */
  static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  static int freePort() throws IOException {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = 18000 + ThreadLocalRandom.current().nextInt(2000);
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(false);
        s.bind(new InetSocketAddress("0.0.0.0", port));
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free port in 18000-19999");
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }
}
