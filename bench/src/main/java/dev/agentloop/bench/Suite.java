package dev.agentloop.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The benchmark suite: starts the baselines and agentloop as separate JVMs, loads them from this
 * JVM, compares each figure with its baseline from the same run, and writes BENCHMARKS.md and a
 * JSON file. Usage (bench/run.sh passes these):
 * {@code java -jar agentloop-bench.jar [--quick] --repo DIR --agentloop-jar JAR --bench-jar JAR
 * --server-flags "FLAGS" [--out-md FILE] [--out-json FILE] [--only request,fanout,persist,streams,pg,cluster]}.
 */
public final class Suite {

  private static final Logger LOG = LoggerFactory.getLogger("bench");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static final String STREAM_MODEL = "bench-stream";
  static final int STREAM_FIRST_TOKEN_MS = 200;
  static final int STREAM_GAP_MS = 1000;

  private final boolean quick;
  private final Path repo;
  private final Path agentloopJar;
  private final Path benchJar;
  private final List<String> serverFlags;
  private final Path outMd;
  private final Path outJson;
  private final Path work;
  private final List<Verdict> verdicts = new ArrayList<>();
  private final JsonObject figures = new JsonObject();
  private final List<RequestLoad.Result> runs = new ArrayList<>();
  private final List<SseLoad.Result> streamRuns = new ArrayList<>();
  private SseLoad.Result mockTtft;
  private final Vertx vertx;
  private final List<String> only;
  private boolean conversationsAvailable;

  private Suite(Map<String, String> args) throws IOException {
    quick = args.containsKey("--quick");
    only = args.containsKey("--only") ? Arrays.asList(args.get("--only").split(",")) : null;
    repo = Path.of(args.getOrDefault("--repo", ".")).toAbsolutePath().normalize();
    agentloopJar = Path.of(args.getOrDefault("--agentloop-jar", repo.resolve("app/target/agentloop.jar").toString()));
    benchJar = Path.of(args.getOrDefault("--bench-jar", repo.resolve("bench/target/agentloop-bench.jar").toString()));
    serverFlags = args.getOrDefault("--server-flags", "").isBlank() ? List.of()
        : Arrays.asList(args.get("--server-flags").trim().split("\\s+"));
    outMd = Path.of(args.getOrDefault("--out-md", repo.resolve("BENCHMARKS.md").toString()));
    outJson = Path.of(args.getOrDefault("--out-json", repo.resolve("bench/target/bench-results.json").toString()));
    work = Files.createTempDirectory("agentloop-bench-");
    // One event loop: every callback of the load generator runs on one thread, no locks needed.
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2));
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new HashMap<>();
    for (int i = 0; i < argv.length; i++) {
      if (argv[i].equals("--quick")) {
        args.put("--quick", "true");
      } else if (argv[i].startsWith("--") && i + 1 < argv.length) {
        args.put(argv[i], argv[++i]);
      } else {
        throw new IllegalArgumentException("unknown argument " + argv[i]);
      }
    }
    Suite suite = new Suite(args);
    int code = 0;
    try {
      suite.run();
    } catch (Exception e) {
      LOG.error("bench failed", e);
      code = 1;
    } finally {
      suite.vertx.close().await(10, TimeUnit.SECONDS);
    }
    System.exit(code);
  }

  // ---- durations: quick mode keeps the whole suite under two minutes

  private long warmupMs() {
    return quick ? 1500 : 5000;
  }

  private long measureMs() {
    return quick ? 3000 : 15000;
  }

  private static final int CONNECTIONS = 64;

  private void run() throws Exception {
    long started = System.nanoTime();
    figures.put("mode", quick ? "quick" : "full").put("load_average_at_start", loadAverage());
    int gwPort = freePort();
    int llmPort = freePort();
    Path config = writeConfig();

    // 1. Request/response scenarios against one suite JVM, the mock's own port and the bare server.
    try (ServerProcess suite = startSuite("agentloop (one JVM)", gwPort, llmPort, config)) {
      int bodySize = probeSize(gwPort);
      figures.put("mock_fast_completion_bytes", bodySize);
      Target gateway = Target.post("gateway", gwPort, "/v1/chat/completions", Target.chat("mock-fast", false));
      Target mock = Target.post("mock port", llmPort, "/v1/chat/completions", Target.chat("mock-fast", false));
      if (runs("request")) {
        requestScenarios(suite, gateway, mock, bodySize);
      }
      if (runs("fanout")) {
        fanoutScenario(gwPort);
      }
      if (runs("persist")) {
        persistScenario(gwPort);
      }
    }
    // 2. Concurrent streams against a fresh suite JVM, so its memory before the streams is a clean baseline.
    if (runs("streams")) {
      streamScenarios(gwPort, llmPort, config);
    }
    // 3. Turns persisted with PostgreSQL, against pgbench running the same SQL.
    if (runs("persist") || runs("pg")) {
      postgresScenario(gwPort, llmPort, config);
    }
    // 4. Clustered.
    if (runs("cluster")) {
      clusterScenario(config);
    }
    figures.put("suite_seconds", Math.round((System.nanoTime() - started) / 1e9))
        .put("load_average_at_end", loadAverage());
    write();
    LOG.info("bench: done in {} s; wrote {} and {}", Math.round((System.nanoTime() - started) / 1e9), outMd, outJson);
  }

  private boolean runs(String group) {
    return only == null || only.contains(group);
  }

  private Path writeConfig() throws IOException {
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
    Path file = work.resolve("bench-config.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private ServerProcess startSuite(String name, int gwPort, int llmPort, Path config)
      throws IOException, InterruptedException {
    return startSuite(name, gwPort, llmPort, config, Map.of());
  }

  private ServerProcess startSuite(String name, int gwPort, int llmPort, Path config, Map<String, String> extraEnv)
      throws IOException, InterruptedException {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("AGENTLOOP_HTTP_PORT", Integer.toString(gwPort));
    env.put("AGENTLOOP_LLM_HTTP_PORT", Integer.toString(llmPort));
    env.put("AGENTLOOP_CONFIG", config.toString());
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
        work.resolve("agentloop-" + gwPort + "-" + System.nanoTime() + ".log"),
        "http://127.0.0.1:" + gwPort + "/health/live").gcLog(gcLog);
  }

  private static int probeSize(int port) throws IOException, InterruptedException {
    HttpResponse<byte[]> r = post(port, "/v1/chat/completions", Target.chat("mock-fast", false));
    if (r.statusCode() != 200) {
      throw new IOException("mock-fast completion answered " + r.statusCode() + ": " + new String(r.body()));
    }
    return r.body().length;
  }

  private static HttpResponse<byte[]> post(int port, String path, String json) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("content-type", "application/json").timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpClientAgent client(int maxConnections, String localAddress) {
    HttpClientOptions options = new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
        .setConnectTimeout(10_000).setIdleTimeout(0);
    if (localAddress != null) {
      options.setLocalAddress(localAddress);
    }
    return vertx.httpClientBuilder().with(options).with(new PoolOptions().setHttp1MaxSize(maxConnections)).build();
  }

  private RequestLoad.Result closed(Target target, String label, int connections, ServerProcess server)
      throws Exception {
    HttpClientAgent client = client(connections, null);
    try {
      warmUp(new RequestLoad(vertx, client, target), label, connections);
      long cpu0 = server == null ? -1 : server.cpuMs();
      long t0 = System.nanoTime();
      RequestLoad.Result r = new RequestLoad(vertx, client, target).closedLoop(label, connections, 1000, measureMs())
          .await(5, TimeUnit.MINUTES);
      note(r, server, cpu0, t0);
      LOG.info("{}: {} req/s, p50 {} ms, p99 {} ms, errors {}", label, Math.round(r.throughput()),
          Verdict.fmt(r.latency().percentileMs(50)), Verdict.fmt(r.latency().percentileMs(99)), r.latency().errors());
      return r;
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
    }
  }

  private int rounds() {
    return quick ? 2 : 3;
  }

  /**
   * Measures several targets in alternating rounds (A, B, C, A, B, C, ...) after warming each up, so
   * a burst of other work on this shared machine hits all of them rather than one. Returns one
   * combined result per target; {@code perRound} gets each round's throughputs.
   */
  private List<RequestLoad.Result> interleaved(List<Target> targets, List<String> labels, int connections,
      double openRate, List<ServerProcess> servers, List<double[]> perRound) throws Exception {
    List<HttpClientAgent> clients = new ArrayList<>();
    List<RequestLoad.Result> combined = new ArrayList<>();
    try {
      for (int t = 0; t < targets.size(); t++) {
        clients.add(client(openRate > 0 ? 512 : connections, null));
        if (openRate <= 0) {
          warmUp(new RequestLoad(vertx, clients.get(t), targets.get(t)), labels.get(t), connections);
        }
        perRound.add(new double[rounds()]);
      }
      long sliceMs = measureMs() / rounds();
      long[] completed = new long[targets.size()];
      LatencyStats[] latency = new LatencyStats[targets.size()];
      LatencyStats[] lag = new LatencyStats[targets.size()];
      long[] cpu = new long[targets.size()];
      long[] wall = new long[targets.size()];
      for (int r = 0; r < rounds(); r++) {
        for (int t = 0; t < targets.size(); t++) {
          ServerProcess server = servers.get(t);
          long cpu0 = server == null ? -1 : server.cpuMs();
          long t0 = System.nanoTime();
          RequestLoad load = new RequestLoad(vertx, clients.get(t), targets.get(t));
          String label = labels.get(t) + " (round " + (r + 1) + ")";
          RequestLoad.Result one = openRate > 0
              ? load.openLoop(label, openRate, quick ? 1000 : 2000, sliceMs).await(5, TimeUnit.MINUTES)
              : load.closedLoop(label, connections, 500, sliceMs).await(5, TimeUnit.MINUTES);
          wall[t] += System.nanoTime() - t0;
          cpu[t] += server == null ? 0 : server.cpuMs() - cpu0;
          perRound.get(t)[r] = one.throughput();
          completed[t] += one.completed();
          latency[t] = latency[t] == null ? one.latency() : latency[t].add(one.latency());
          lag[t] = lag[t] == null ? one.clientLag() : lag[t].add(one.clientLag());
        }
      }
      for (int t = 0; t < targets.size(); t++) {
        RequestLoad.Result result = new RequestLoad.Result(labels.get(t), openRate > 0 ? "open" : "closed",
            connections, openRate, sliceMs * rounds() / 1000.0, completed[t], latency[t], lag[t]);
        runs.add(result);
        loadAverages.put(result, loadAverage());
        if (servers.get(t) != null) {
          serverCpu.put(result, 100.0 * cpu[t] / (wall[t] / 1e6));
        }
        LOG.info("{}: {} req/s, p50 {} ms, p99 {} ms, errors {}; per round {}", labels.get(t),
            Math.round(result.throughput()), Verdict.fmt(result.latency().percentileMs(50)),
            Verdict.fmt(result.latency().percentileMs(99)), result.latency().errors(),
            Arrays.toString(Arrays.stream(perRound.get(t)).map(Math::round).toArray()));
        combined.add(result);
      }
      return combined;
    } finally {
      for (HttpClientAgent c : clients) {
        c.close().await(10, TimeUnit.SECONDS);
      }
    }
  }

  static double medianRatio(double[] a, double[] b) {
    double[] ratios = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      ratios[i] = a[i] / b[i];
    }
    Arrays.sort(ratios);
    return ratios.length % 2 == 1 ? ratios[ratios.length / 2]
        : (ratios[ratios.length / 2 - 1] + ratios[ratios.length / 2]) / 2;
  }

  /**
   * Runs the load in two-second slices until the JIT has settled: two slices in a row within 10% of
   * each other, after at least 15 s (3 s in quick mode) and at most 45 s (8 s): the gateway's deep
   * call path keeps getting faster for 15-20 s while C2 compiles it, longer when the machine is busy.
   */
  private void warmUp(RequestLoad load, String label, int connections) throws Exception {
    long start = System.nanoTime();
    double previous = -1;
    while (true) {
      double rps = load.closedLoop("warm-up " + label, connections, 0, 2000).await(2, TimeUnit.MINUTES).throughput();
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;
      boolean settled = previous > 0 && Math.abs(rps - previous) <= 0.10 * Math.max(rps, previous);
      if ((settled && elapsedMs >= (quick ? 3_000 : 15_000)) || elapsedMs >= (quick ? 8_000 : 45_000)) {
        LOG.info("  warm-up of {} done after {} s at {} req/s{}", label, elapsedMs / 1000, Math.round(rps),
            settled ? "" : " (not settled: the machine is busy)");
        return;
      }
      previous = rps;
    }
  }

  private RequestLoad.Result open(Target target, String label, double rate, long measureMs, ServerProcess server)
      throws Exception {
    HttpClientAgent client = client(512, null);
    try {
      long cpu0 = server == null ? -1 : server.cpuMs();
      long t0 = System.nanoTime();
      RequestLoad.Result r = new RequestLoad(vertx, client, target).openLoop(label, rate, warmupMs(), measureMs)
          .await(5, TimeUnit.MINUTES);
      note(r, server, cpu0, t0);
      LOG.info("{}: offered {}/s, completed {}/s, p50 {} ms, p99 {} ms, errors {}", label, Math.round(rate),
          Math.round(r.throughput()), Verdict.fmt(r.latency().percentileMs(50)),
          Verdict.fmt(r.latency().percentileMs(99)), r.latency().errors());
      return r;
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
    }
  }

  private final Map<RequestLoad.Result, Double> serverCpu = new HashMap<>();

  final Map<Object, Double> loadAverages = new HashMap<>();

  private void note(RequestLoad.Result r, ServerProcess server, long cpu0, long t0) {
    runs.add(r);
    loadAverages.put(r, loadAverage());
    if (server != null && cpu0 >= 0) {
      double wallMs = (System.nanoTime() - t0) / 1e6;
      serverCpu.put(r, 100.0 * (server.cpuMs() - cpu0) / wallMs);
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

  private void requestScenarios(ServerProcess suite, Target gateway, Target mock, int bodySize) throws Exception {
    int barePort = freePort();
    LOG.info("== plain chat throughput (mock-fast), closed loop, {} connections, {} interleaved rounds", CONNECTIONS,
        rounds());
    List<RequestLoad.Result> max;
    List<double[]> maxRounds = new ArrayList<>();
    try (ServerProcess bareServer = ServerProcess.start("bare Vert.x server",
        ServerProcess.java(serverFlags, "-cp", benchJar.toString(), BareServer.class.getName(),
            Integer.toString(barePort), Integer.toString(bodySize)),
        Map.of(), work.resolve("bare.log"), "http://127.0.0.1:" + barePort + "/")) {
      Target bareTarget = Target.post("bare", barePort, "/v1/chat/completions", Target.chat("mock-fast", false));
      max = interleaved(List.of(bareTarget, mock, gateway),
          List.of("bare Vert.x, closed", "mock port, closed", "gateway, closed"), CONNECTIONS, 0,
          Arrays.asList(bareServer, suite, suite), maxRounds);
    }
    RequestLoad.Result bare = max.get(0);
    RequestLoad.Result mockMax = max.get(1);
    RequestLoad.Result gwMax = max.get(2);
    figures.put("bare_rps", round1(bare.throughput())).put("mock_port_rps", round1(mockMax.throughput()))
        .put("gateway_rps", round1(gwMax.throughput()));
    double ratio = medianRatio(maxRounds.get(2), maxRounds.get(0));
    verdicts.add(Verdict.atLeast("Plain chat throughput (mock-fast): gateway ÷ bare Vert.x",
        String.format("%,.0f req/s", gwMax.throughput()), String.format("%,.0f req/s", bare.throughput()),
        ratio, "×", 0.40, 0.50,
        String.format("%d connections, closed loop, median of %d interleaved rounds (ratio of the totals %.3f); "
            + "mock port alone: %,.0f req/s (mock port ÷ bare %.3f); errors gw/bare: %d/%d", CONNECTIONS, rounds(),
            gwMax.throughput() / bare.throughput(), mockMax.throughput(), medianRatio(maxRounds.get(1), maxRounds.get(0)),
            gwMax.latency().errors(), bare.latency().errors())));

    LOG.info("== latency the gateway adds at concurrency 1");
    List<RequestLoad.Result> one = interleaved(List.of(mock, gateway),
        List.of("mock port, 1 connection", "gateway, 1 connection"), 1, 0, Arrays.asList(suite, suite),
        new ArrayList<>());
    RequestLoad.Result mock1 = one.get(0);
    RequestLoad.Result gw1 = one.get(1);
    double added50 = gw1.latency().percentileMs(50) - mock1.latency().percentileMs(50);
    verdicts.add(Verdict.atMost("Latency added by the gateway at concurrency 1: gateway p50 − mock port p50",
        "p50 " + Verdict.fmt(gw1.latency().percentileMs(50)) + " ms",
        "p50 " + Verdict.fmt(mock1.latency().percentileMs(50)) + " ms", added50, "ms", 0.5, 0.3,
        String.format("p99 %s vs %s ms; %d interleaved rounds", Verdict.fmt(gw1.latency().percentileMs(99)),
            Verdict.fmt(mock1.latency().percentileMs(99)), rounds())));

    double half = gwMax.throughput() / 2;
    LOG.info("== open loop at half the gateway's max: {}/s", Math.round(half));
    List<RequestLoad.Result> halves = interleaved(List.of(mock, gateway),
        List.of("mock port, open @½ max", "gateway, open @½ max"), 0, half, Arrays.asList(suite, suite),
        new ArrayList<>());
    RequestLoad.Result mockHalf = halves.get(0);
    RequestLoad.Result gwHalf = halves.get(1);
    double added99 = gwHalf.latency().percentileMs(99) - mockHalf.latency().percentileMs(99);
    verdicts.add(Verdict.atMost(String.format("Latency added at an open-loop %,.0f req/s (½ gateway max): p99 gateway − p99 mock port", half),
        "p99 " + Verdict.fmt(gwHalf.latency().percentileMs(99)) + " ms",
        "p99 " + Verdict.fmt(mockHalf.latency().percentileMs(99)) + " ms", added99, "ms", 5, 2,
        String.format("latency from intended send time; p50 %s vs %s ms; errors %d/%d; %d interleaved rounds",
            Verdict.fmt(gwHalf.latency().percentileMs(50)), Verdict.fmt(mockHalf.latency().percentileMs(50)),
            gwHalf.latency().errors(), mockHalf.latency().errors(), rounds())));

    lagScenario(suite, gateway, gwMax.throughput() * 0.7);
  }

  private void lagScenario(ServerProcess suite, Target gateway, double rate) throws Exception {
    String scenario = "Event loop at 70% of max load: lag p99 and blocked-thread events (100 ms)";
    int port = gateway.port();
    String before = get(port, "/metrics").body();
    if (!before.contains("agentloop_eventloop_lag_seconds")) {
      verdicts.add(Verdict.notRun(scenario, "p99 ≤ 5 ms, 0 events", "—",
          "/metrics has no agentloop_eventloop_lag_seconds series on this build"));
      return;
    }
    // Files written while the load runs: a conversation exported again and again (off the event loop).
    String conversation = exportableConversation(port);
    java.util.concurrent.atomic.AtomicBoolean exporting = new java.util.concurrent.atomic.AtomicBoolean(conversation != null);
    java.util.concurrent.atomic.AtomicInteger exports = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger exportErrors = new java.util.concurrent.atomic.AtomicInteger();
    Thread exporter = Thread.ofVirtual().start(() -> {
      while (exporting.get()) {
        try {
          int status = get(port, "/v1/conversations/" + conversation + "/export?format=jsonl").statusCode();
          (status == 200 ? exports : exportErrors).incrementAndGet();
        } catch (Exception e) {
          exportErrors.incrementAndGet();
        }
      }
    });
    // "70 % of max": of the closed-loop maximum, stepped down while the server cannot keep up in open
    // loop (the open-loop generator costs more CPU on the same cores), so the point is not saturation.
    RequestLoad.Result r = null;
    double offered = rate;
    for (int attempt = 0; attempt < 4; attempt++) {
      before = get(port, "/metrics").body();
      LOG.info("== event loop at {}/s ({}% of the closed-loop max){}", Math.round(offered),
          Math.round(70 * offered / rate), conversation != null ? ", exports writing files meanwhile" : "");
      r = open(gateway, "gateway, open @" + Math.round(70 * offered / rate) + "% max", offered, quick ? 5000 : 20000, suite);
      boolean keptUp = r.latency().errors() == 0 && r.latency().percentileMs(50) < 50;
      if (keptUp) {
        break;
      }
      LOG.info("   the server did not keep up at {}/s (p50 {} ms): stepping down", Math.round(offered),
          Verdict.fmt(r.latency().percentileMs(50)));
      offered *= 0.85;
    }
    exporting.set(false);
    exporter.join(Duration.ofSeconds(30));
    figures.put("lag_offered_rps", Math.round(offered)).put("lag_exports_done", exports.get())
        .put("lag_export_errors", exportErrors.get());
    String after = get(port, "/metrics").body();
    Prometheus.Buckets lag = Prometheus.bucketsDelta(before, after, "agentloop_eventloop_lag_seconds_bucket");
    double blocked = Prometheus.sum(after, "agentloop_blocked_thread_events_total")
        - Prometheus.sum(before, "agentloop_blocked_thread_events_total");
    double p99UpperMs = lag.quantileUpperBound(0.99) * 1000;
    figures.put("lag_p99_upper_bound_ms", Math.round(p99UpperMs * 1000) / 1000.0).put("lag_samples", lag.total()).put("blocked_events", blocked);
    String measured = String.format("lag p99 ≤ %s ms (bucket bound), %d blocked events", Verdict.fmt(p99UpperMs),
        (long) blocked);
    Verdict v = Verdict.atMost(scenario, measured, "—", p99UpperMs, "ms", 5, 5,
        String.format("%d lag samples over all loops; %,.0f req/s offered (%d%% of the closed-loop max %,.0f; "
                + "stepped down from 70%% until the server kept up), gateway p50 %s ms, p99 %s ms; %s",
            lag.total(), offered, Math.round(70 * offered / rate), rate / 0.7,
            Verdict.fmt(r.latency().percentileMs(50)), Verdict.fmt(r.latency().percentileMs(99)),
            conversation == null ? "no exports (no conversations on this build)"
                : exports.get() + " exports written and sent meanwhile, " + exportErrors.get() + " failed"));
    if (blocked > 0 && v.status() != Verdict.Status.NOT_MET) {
      v = new Verdict(v.scenario(), v.measured(), v.baseline(), v.value(), v.unit(), v.must(), v.aim(),
          Verdict.Status.NOT_MET, v.note() + "; blocked-thread events seen");
    }
    verdicts.add(v);
  }

  /** A conversation with a few turns to export, or null when the build has no conversations. */
  private String exportableConversation(int port) throws Exception {
    HttpResponse<byte[]> created = post(port, "/v1/conversations", "{\"title\":\"bench export\"}");
    if (created.statusCode() != 201 && created.statusCode() != 200) {
      return null;
    }
    String id = new JsonObject(new String(created.body(), java.nio.charset.StandardCharsets.UTF_8)).getString("id");
    for (int i = 0; i < 40; i++) {
      post(port, "/v1/chat/completions", "{\"model\":\"mock-fast\",\"max_tokens\":64,\"conversation_id\":\"" + id
          + "\",\"messages\":[{\"role\":\"user\",\"content\":\"turn " + i + " of the export\"}]}");
    }
    return id;
  }

  private void fanoutScenario(int gwPort) throws Exception {
    String scenario = "Fan-out 5 × mock-realistic ÷ one mock-realistic call (p50 wall time)";
    String single = Target.chat("mock-realistic", false);
    String fan = "{\"models\":[\"mock-realistic\",\"mock-realistic\",\"mock-realistic\",\"mock-realistic\","
        + "\"mock-realistic\"],\"mode\":\"all\",\"messages\":[{\"role\":\"user\",\"content\":\"Say something.\"}]}";
    HttpResponse<byte[]> probe = post(gwPort, "/v1/chat/fanout", fan);
    if (probe.statusCode() == 404 || probe.statusCode() == 405) {
      verdicts.add(Verdict.notRun(scenario, "≤ 1.15", "—", "POST /v1/chat/fanout answers " + probe.statusCode()
          + " on this build"));
      return;
    }
    if (probe.statusCode() != 200) {
      verdicts.add(Verdict.failed(scenario, "≤ 1.15", "—", "probe answered " + probe.statusCode() + ": "
          + new String(probe.body()).substring(0, Math.min(200, probe.body().length))));
      return;
    }
    LOG.info("== fan-out");
    int c = 4;
    RequestLoad.Result one = closed(Target.post("single", gwPort, "/v1/chat/completions", single),
        "one mock-realistic call", c, null);
    RequestLoad.Result five = closed(Target.post("fanout", gwPort, "/v1/chat/fanout", fan),
        "fan-out 5 × mock-realistic", c, null);
    verdicts.add(Verdict.atMost(scenario, "p50 " + Verdict.fmt(five.latency().percentileMs(50)) + " ms",
        "p50 " + Verdict.fmt(one.latency().percentileMs(50)) + " ms",
        five.latency().percentileMs(50) / one.latency().percentileMs(50), "×", 1.15, 1.15,
        c + " concurrent clients each; errors " + five.latency().errors() + "/" + one.latency().errors()));
  }

  private static final String PG_SCENARIO =
      "Turns persisted/s through the gateway, PostgreSQL ÷ pgbench (same SQL, same clients)";
  private static final int TURN_CLIENTS = 16;
  private static final int CONVERSATIONS = 256;

  private void persistScenario(int gwPort) throws Exception {
    String local = "Turns persisted/s through the gateway, local store (figure only)";
    HttpResponse<byte[]> probe = post(gwPort, "/v1/conversations", "{}");
    if (probe.statusCode() == 404 || probe.statusCode() == 405) {
      verdicts.add(Verdict.notRun(local, "—", "—", "POST /v1/conversations answers " + probe.statusCode()
          + " on this build (no conversation API yet)"));
      return;
    }
    if (probe.statusCode() / 100 != 2) {
      verdicts.add(Verdict.failed(local, "—", "—", "POST /v1/conversations answered " + probe.statusCode()));
      return;
    }
    conversationsAvailable = true;
    LOG.info("== turns persisted (local store)");
    RequestLoad.Result r = turns(gwPort, "turns, local store", null);
    figures.put("local_turns_per_s", round1(r.throughput()));
    verdicts.add(new Verdict(local, String.format("%,.0f turns/s", r.throughput()), "—", r.throughput(), "turns/s", "—",
        "—", Verdict.Status.FIGURE, String.format("%d clients over %d conversations, mock-fast, closed loop; p50 %s ms; "
            + "errors %d", TURN_CLIENTS, CONVERSATIONS, Verdict.fmt(r.latency().percentileMs(50)),
            r.latency().errors())));
  }

  /** Closed-loop chat turns, each on one of {@link #CONVERSATIONS} conversations created first. */
  private RequestLoad.Result turns(int gwPort, String label, ServerProcess server) throws Exception {
    List<Buffer> bodies = new ArrayList<>();
    for (int i = 0; i < CONVERSATIONS; i++) {
      HttpResponse<byte[]> created = post(gwPort, "/v1/conversations", "{}");
      if (created.statusCode() / 100 != 2) {
        throw new IOException("POST /v1/conversations answered " + created.statusCode() + ": "
            + new String(created.body()));
      }
      String id = new JsonObject(Buffer.buffer(created.body())).getString("id");
      bodies.add(Buffer.buffer(new JsonObject().put("model", "mock-fast").put("conversation_id", id)
          .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "Hello.")))
          .encode()));
    }
    HttpClientAgent client = client(TURN_CLIENTS, null);
    try {
      Target t = Target.post("turns", gwPort, "/v1/chat/completions", "{}");
      RequestLoad load = new RequestLoad(vertx, client, t, bodies);
      load.closedLoop("warm-up " + label, TURN_CLIENTS, 0, warmupMs()).await(5, TimeUnit.MINUTES);
      long cpu0 = server == null ? -1 : server.cpuMs();
      long t0 = System.nanoTime();
      RequestLoad.Result r = load.closedLoop(label, TURN_CLIENTS, 500, measureMs()).await(5, TimeUnit.MINUTES);
      note(r, server, cpu0, t0);
      return r;
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
    }
  }

  private void postgresScenario(int gwPort, int llmPort, Path config) throws Exception {
    if (!conversationsAvailable) {
      verdicts.add(Verdict.notRun(PG_SCENARIO, "≥ 0.40", "≥ 0.60", "no conversation API on this build"));
      return;
    }
    String why = Postgres.unavailable();
    if (why != null) {
      verdicts.add(Verdict.notRun(PG_SCENARIO, "≥ 0.40", "≥ 0.60", why));
      return;
    }
    LOG.info("== turns persisted with PostgreSQL, and pgbench with the same SQL");
    try (Postgres pg = Postgres.start(freePort())) {
      RequestLoad.Result gw;
      try (ServerProcess suite = startSuite("agentloop (one JVM, PostgreSQL)", gwPort, llmPort, config,
          Map.of("AGENTLOOP_STORAGE", "postgres", "AGENTLOOP_PG_URL", pg.url()))) {
        gw = turns(gwPort, "turns, PostgreSQL", suite);
      }
      pg.psql("INSERT INTO conversations (id, title, metadata, created_at) SELECT 'pgb-' || g, NULL, '{}', 0 "
          + "FROM generate_series(1, " + CONVERSATIONS + ") g");
      Path script = work.resolve("turn.sql");
      Files.writeString(script, """
          \\set c random(1, %d)
          SELECT id, title, metadata, created_at, message_count FROM conversations WHERE id = 'pgb-' || :c;
          SELECT body FROM messages WHERE conversation_id = 'pgb-' || :c ORDER BY idx;
          BEGIN;
          UPDATE conversations SET message_count = message_count + 2 WHERE id = 'pgb-' || :c RETURNING message_count AS mc \\gset
          INSERT INTO messages (conversation_id, idx, role, body) VALUES ('pgb-' || :c, :mc - 2, 'user', '{"role":"user","content":"Hello."}');
          INSERT INTO messages (conversation_id, idx, role, body) VALUES ('pgb-' || :c, :mc - 1, 'assistant', '{"role":"assistant","content":"Event loops answer many requests with few threads by never waiting on any of them."}');
          END;
          """.formatted(CONVERSATIONS));
      int seconds = (int) Math.max(1, measureMs() / 1000);
      pg.pgbench(script, TURN_CLIENTS, (int) Math.max(1, warmupMs() / 1000));
      double tps = pg.pgbench(script, TURN_CLIENTS, seconds);
      figures.put("pg_turns_per_s", round1(gw.throughput())).put("pgbench_tps", round1(tps));
      verdicts.add(Verdict.atLeast(PG_SCENARIO, String.format("%,.0f turns/s", gw.throughput()),
          String.format("pgbench %,.0f tps", tps), gw.throughput() / tps, "×", 0.40, 0.60,
          String.format("%d clients, %d conversations; per turn: conversation and history SELECTs, then a "
              + "transaction with the message-count UPDATE and two message INSERTs; errors %d; pgbench -M prepared "
              + "-c %d -j 2 -T %d; agentloop CPU %s%%", TURN_CLIENTS, CONVERSATIONS, gw.latency().errors(), TURN_CLIENTS,
              seconds, serverCpu.containsKey(gw) ? Math.round(serverCpu.get(gw)) : "?")));
    } catch (IOException e) {
      LOG.error("PostgreSQL scenario failed", e);
      verdicts.add(Verdict.failed(PG_SCENARIO, "≥ 0.40", "≥ 0.60", e.getMessage().split("\n")[0]));
    }
  }

  private void streamScenarios(int gwPort, int llmPort, Path config) throws Exception {
    Target target = Target.post("streams", gwPort, "/v1/chat/completions", Target.chat(STREAM_MODEL, true));
    int[] levels = quick ? new int[] {1000} : new int[] {1000, 5000, 10000};
    long[] windows = quick ? new long[] {10_000} : new long[] {15_000, 60_000, 60_000};
    Map<Integer, SseLoad.Result> results = new LinkedHashMap<>();
    metricsPort = gwPort;
    try (ServerProcess suite = startSuite("agentloop (one JVM, streams)", gwPort, llmPort, config)) {
      // Warm the streaming path on both sides (server and load generator) so the first level's TTFT
      // is not JIT warm-up or the load generator's first 1,000 connections.
      streams(suite, target, 1000, 500, 3000, false);
      for (int i = 0; i < levels.length; i++) {
        if (!suite.alive()) {
          LOG.error("agentloop died:\n{}", suite.tail());
          break;
        }
        results.put(levels[i], streams(suite, target, levels[i], 500, windows[i], true));
        if (levels[i] == 1000) {
          // The same 1,000 streams straight to the mock's own port: the floor the gateway's TTFT is compared to.
          Target direct = Target.post("streams, mock port", llmPort, "/v1/chat/completions",
              Target.chat(STREAM_MODEL, true));
          mockTtft = streams(suite, direct, 1000, 500, quick ? 5000 : 10_000, false);
          mockTtft = new SseLoad.Result("1,000 streams, mock port (no gateway)", mockTtft.requested(), mockTtft.opened(),
              mockTtft.held(), mockTtft.tokens(), mockTtft.rampSeconds(), mockTtft.windowSeconds(), mockTtft.ttft(),
              mockTtft.gaps(), mockTtft.errors(), mockTtft.clientLag(), mockTtft.extra());
          streamRuns.add(mockTtft);
        }
      }
    }
    SseLoad.Result r1000 = results.get(1000);
    if (r1000 != null) {
      double overhead = r1000.ttft().percentileMs(50) - STREAM_FIRST_TOKEN_MS;
      verdicts.add(Verdict.atMost("TTFT overhead at 1,000 streams: TTFT p50 − model first-token delay (200 ms)",
          "TTFT p50 " + Verdict.fmt(r1000.ttft().percentileMs(50)) + " ms", "200 ms", overhead, "ms", 2, 1,
          String.format("TTFT p99 %s ms; from request send, incl. TCP connect, ramp 500 streams/s; inside the gateway "
              + "(bus stream opened → first batch) p50 ≤ %s ms%s",
              Verdict.fmt(r1000.ttft().percentileMs(99)), r1000.extra().getValue("server_ttft_gateway_p50_ms_upper"),
              mockTtft == null ? ""
                  : String.format("; same 1,000 streams to the mock port without the gateway: TTFT p50 %s ms (overhead %s ms)",
                      Verdict.fmt(mockTtft.ttft().percentileMs(50)),
                      Verdict.fmt(mockTtft.ttft().percentileMs(50) - STREAM_FIRST_TOKEN_MS)))));
    }
    held(results.get(5000), 5000, "must", quick);
    held(results.get(10000), 10000, "aim", quick);
    SseLoad.Result main = results.containsKey(5000) ? results.get(5000) : r1000;
    if (main != null) {
      String at = String.format(" (at %,d streams)", main.requested());
      verdicts.add(Verdict.atMost("Inter-token gap distortion p99 \\|observed − 1,000 ms\\|" + at,
          "p99 " + Verdict.fmt(main.gaps().distortionMs(99)) + " ms", "configured gap 1,000 ms",
          main.gaps().distortionMs(99), "ms", 5, 2,
          String.format("%,d gaps; p50 %s ms, max %s ms", main.gaps().count(), Verdict.fmt(main.gaps().distortionMs(50)),
              Verdict.fmt(main.gaps().count() == 0 ? Double.NaN : main.gaps().distortionMs(100)))));
      memory(main);
    }
    SseLoad.Result big = results.get(10000);
    if (big != null) {
      verdicts.add(new Verdict("Inter-token gap distortion p99 at 10,000 streams (figure)",
          "p99 " + Verdict.fmt(big.gaps().distortionMs(99)) + " ms", "1,000 ms", big.gaps().distortionMs(99), "ms",
          "≤ 5", "≤ 2", big.gaps().distortionMs(99) <= 2 ? Verdict.Status.MET_AIM
              : big.gaps().distortionMs(99) <= 5 ? Verdict.Status.MET : Verdict.Status.NOT_MET,
          String.format("%,d gaps", big.gaps().count())));
      memory(big);
    }
  }

  private void held(SseLoad.Result r, int level, String kind, boolean quickMode) {
    String scenario = String.format("Concurrent streams held for the window, zero errors: %,d (%s)", level, kind);
    if (r == null) {
      verdicts.add(Verdict.notRun(scenario, kind.equals("must") ? "5,000, 0 errors" : "—",
          kind.equals("aim") ? "10,000, 0 errors" : "—",
          quickMode ? "quick mode holds 1,000 streams only" : "agentloop did not survive the previous level"));
      return;
    }
    boolean ok = r.held() == level && r.errorCount() == 0;
    Verdict.Status status = ok ? (kind.equals("aim") ? Verdict.Status.MET_AIM : Verdict.Status.MET) : Verdict.Status.NOT_MET;
    verdicts.add(new Verdict(scenario, String.format("%,d held, %d errors", r.held(), r.errorCount()),
        String.format("%,d requested", level), (double) r.held(), "streams",
        kind.equals("must") ? "5,000, 0 errors" : "—", "10,000, 0 errors", status,
        String.format("window %.0f s after a %.1f s ramp; %,d tokens received%s", r.windowSeconds(), r.rampSeconds(),
            r.tokens(), r.errors().isEmpty() ? "" : "; errors: " + r.errors())));
  }

  private void memory(SseLoad.Result r) {
    JsonObject m = r.extra();
    Long heapBefore = m.getLong("heap_after_gc_before_kb");
    Long heapDuring = m.getLong("heap_after_gc_held_kb");
    if (heapBefore == null || heapDuring == null || heapBefore < 0 || heapDuring < 0 || r.held() == 0) {
      verdicts.add(Verdict.failed("Memory per held stream", "≤ 50 KB", "≤ 25 KB", "no heap figures: " + m.encode()));
      return;
    }
    double kbPerStream = (heapDuring - heapBefore) / (double) r.held();
    double rssPerStream = (m.getLong("rss_held_kb") - m.getLong("rss_before_kb")) / (double) r.held();
    verdicts.add(Verdict.atMost(String.format("Memory per held stream (heap after full GC, at %,d streams)", r.held()),
        Verdict.fmt(kbPerStream) + " KB/stream", String.format("heap %,d → %,d KB", heapBefore, heapDuring),
        kbPerStream, "KB", 50, 25,
        String.format("RSS delta %s KB/stream (RSS %,d → %,d KB; includes heap growth the GC keeps)",
            Verdict.fmt(rssPerStream), m.getLong("rss_before_kb"), m.getLong("rss_held_kb"))));
  }

  private SseLoad.Result streams(ServerProcess suite, Target target, int count, double rampPerSecond, long windowMs,
      boolean record) throws Exception {
    String label = String.format("%,d streams", count);
    LOG.info("== {} of {} ({} ms first token, {} ms per token), ramp {}/s, window {} s", label, STREAM_MODEL,
        STREAM_FIRST_TOKEN_MS, STREAM_GAP_MS, Math.round(rampPerSecond), windowMs / 1000);
    long heapBefore = record ? suite.heapAfterGcKb() : -1;
    long rssBefore = suite.rssKb();
    long gcOffset = suite.gcLogOffset();
    String metricsBefore = scrape(gwPort(target, suite));
    long cpu0 = suite.cpuMs();
    long t0 = System.nanoTime();
    // Several source addresses so 10,000 connections never run short of ephemeral ports.
    List<HttpClientAgent> clients = new ArrayList<>();
    int perClient = 4000;
    for (int i = 0; i * perClient < count; i++) {
      clients.add(client(Math.min(perClient, count), "127.0.0." + (i + 1)));
    }
    try {
      SseLoad.Result r = new SseLoad(vertx, clients, target).run(label, count, rampPerSecond, windowMs,
          STREAM_GAP_MS, held -> {
            // GC pauses and CPU first: the heap measurement below forces a full GC of its own.
            JsonObject m = suite.gcPauses(gcOffset).put("load_average", loadAverage());
            serverTtft(metricsBefore, scrape(gwPort(target, suite)), m);
            m
                .put("server_cpu_pct", Math.round(100.0 * (suite.cpuMs() - cpu0) / ((System.nanoTime() - t0) / 1e6)));
            return record ? m.put("heap_after_gc_before_kb", heapBefore).put("rss_before_kb", rssBefore)
                .put("rss_held_kb", suite.rssKb()).put("heap_after_gc_held_kb", suite.heapAfterGcKb()) : m;
          })
          .await(10, TimeUnit.MINUTES);
      if (record) {
        streamRuns.add(r);
      }
      LOG.info("{}: held {}, errors {}, TTFT p50 {} ms, gap distortion p99 {} ms, {}", label, r.held(), r.errorCount(),
          Verdict.fmt(r.ttft().percentileMs(50)), Verdict.fmt(r.gaps().distortionMs(99)), r.extra().encode());
      return r;
    } finally {
      for (HttpClientAgent c : clients) {
        c.close().await(30, TimeUnit.SECONDS);
      }
      // Let the server notice the closed streams and cancel their generations before the next level.
      Thread.sleep(3000);
    }
  }

  private int metricsPort = -1;

  private int gwPort(Target target, ServerProcess suite) {
    return metricsPort;
  }

  private static String scrape(int port) {
    if (port < 0) {
      return "";
    }
    try {
      HttpResponse<String> r = get(port, "/metrics");
      return r.statusCode() == 200 ? r.body() : "";
    } catch (IOException | InterruptedException e) {
      return "";
    }
  }

  /**
   * The server's own view of time to first token (agentloop_time_to_first_token_seconds, from the
   * gateway or mock port opening the bus stream to the first batch), per front, from two scrapes.
   */
  private static void serverTtft(String before, String after, JsonObject into) {
    for (String front : List.of("gateway", "llm")) {
      Prometheus.Buckets b = Prometheus.bucketsDelta(before, after, "agentloop_time_to_first_token_seconds_bucket",
          "front=\"" + front + "\"");
      if (b.total() > 0) {
        into.put("server_ttft_" + front + "_samples", b.total())
            .put("server_ttft_" + front + "_p50_ms_upper", Math.round(b.quantileUpperBound(0.5) * 10_000) / 10.0)
            .put("server_ttft_" + front + "_p99_ms_upper", Math.round(b.quantileUpperBound(0.99) * 10_000) / 10.0);
      }
    }
  }

  /**
   * The clustered suite (deploy/local-cluster.sh: gateway, storage and two llm members, each in its
   * own JVM) against a one-JVM suite started beside it, loaded in interleaved rounds.
   */
  private void clusterScenario(Path config) throws Exception {
    String scenario = "Clustered ÷ one-JVM plain chat throughput";
    Path script = repo.resolve("deploy/local-cluster.sh");
    if (!Files.isExecutable(script)) {
      verdicts.add(Verdict.notRun(scenario, "≥ 0.60", "≥ 0.80", "deploy/local-cluster.sh is not on this build"));
      return;
    }
    int clusterHttp = freePort();
    int oneHttp = freePort();
    Map<String, String> env = Map.of(
        "AGENTLOOP_HTTP_PORT", Integer.toString(clusterHttp),
        "AGENTLOOP_LLM_HTTP_PORT", Integer.toString(freePort()),
        "AGENTLOOP_CLUSTER_NAME", "bench-" + java.util.UUID.randomUUID(),
        "AGENTLOOP_CLUSTER_PORT", "5901",
        "AGENTLOOP_CLUSTER_DIR", work.resolve("cluster").toString(),
        "AGENTLOOP_NO_BUILD", "1",
        "AGENTLOOP_CONFIG", config.toString());
    LOG.info("== clustered suite: deploy/local-cluster.sh start");
    int started = script(script, "start", env);
    try {
      if (started != 0) {
        verdicts.add(Verdict.notRun(scenario, "≥ 0.60", "≥ 0.80",
            "deploy/local-cluster.sh start exited " + started + "; see " + work.resolve("cluster")));
        return;
      }
      try (ServerProcess oneJvm = startSuite("agentloop (one JVM, beside the cluster)", oneHttp, freePort(), config)) {
        Target one = Target.post("one JVM", oneHttp, "/v1/chat/completions", Target.chat("mock-fast", false));
        Target clustered = Target.post("clustered", clusterHttp, "/v1/chat/completions", Target.chat("mock-fast", false));
        List<double[]> perRound = new ArrayList<>();
        List<RequestLoad.Result> results = interleaved(List.of(one, clustered),
            List.of("one JVM, closed", "clustered (4 JVMs), closed"), CONNECTIONS, 0, Arrays.asList(oneJvm, null),
            perRound);
        figures.put("one_jvm_rps_beside_cluster", round1(results.get(0).throughput()))
            .put("clustered_rps", round1(results.get(1).throughput()));
        verdicts.add(Verdict.atLeast(scenario,
            String.format("%,.0f req/s", results.get(1).throughput()),
            String.format("%,.0f req/s", results.get(0).throughput()),
            medianRatio(perRound.get(1), perRound.get(0)), "×", 0.60, 0.80,
            String.format("%d connections, closed loop, median of %d interleaved rounds; the cluster is gateway + storage "
                + "+ 2 llm JVMs on the same 2 cores; errors clustered/one: %d/%d", CONNECTIONS, rounds(),
                results.get(1).latency().errors(), results.get(0).latency().errors())));
      }
    } finally {
      script(script, "stop", env);
    }
  }

  private int script(Path script, String command, Map<String, String> env) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("bash", script.toString(), command).directory(repo.toFile())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("cluster.log").toFile()));
    builder.environment().putAll(env);
    Process process = builder.start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      return -1;
    }
    return process.exitValue();
  }

  // ---- output

  private void write() throws IOException {
    JsonObject json = new JsonObject()
        .put("date", ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
        .put("machine", machine())
        .put("figures", figures)
        .put("verdicts", new JsonArray(verdicts.stream().map(Verdict::toJson).toList()))
        .put("runs", new JsonArray(runs.stream().map(r -> r.toJson().put("server_cpu_pct",
            serverCpu.containsKey(r) ? Math.round(serverCpu.get(r)) : null).put("load_average", loadAverages.get(r)))
            .toList()))
        .put("stream_runs", new JsonArray(streamRuns.stream().map(SseLoad.Result::toJson).toList()));
    Files.createDirectories(outJson.toAbsolutePath().getParent());
    Files.writeString(outJson, json.encodePrettily());
    Files.writeString(outMd, Markdown.render(json, verdicts, runs, serverCpu, loadAverages, streamRuns, repo, quick));
  }

  private JsonObject machine() {
    JsonObject m = new JsonObject().put("cores", Runtime.getRuntime().availableProcessors());
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          m.put("cpu", line.substring(line.indexOf(':') + 1).trim());
          break;
        }
      }
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal")) {
          m.put("ram_gb", Math.round(Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0 * 10) / 10.0);
        }
      }
      m.put("kernel", Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim());
    } catch (IOException e) {
      m.put("note", e.toString());
    }
    m.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"));
    m.put("server_jvm_flags", String.join(" ", serverFlags)
        + (System.getenv("BENCH_AGENTLOOP_JAVA_OPTS") == null ? "" : " " + System.getenv("BENCH_AGENTLOOP_JAVA_OPTS")));
    m.put("loadgen_jvm", String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()));
    m.put("open_files_limit", openFiles());
    return m;
  }

  private static String openFiles() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          return line.replaceAll("\\s+", " ").replace("Max open files ", "").trim();
        }
      }
    } catch (IOException e) {
      return "unknown";
    }
    return "unknown";
  }

  private static double round1(double v) {
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
}
