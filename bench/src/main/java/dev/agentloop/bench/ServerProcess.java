package dev.agentloop.bench;

import dev.agentloop.testkit.ChildJvm;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A server JVM (a {@link ChildJvm}) the bench starts, waits for, measures (RSS, CPU, heap after GC) and stops. */
public final class ServerProcess implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger("bench");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final String name;
  private final ChildJvm process;
  private Path gcLog;

  private ServerProcess(String name, ChildJvm process) {
    this.name = name;
    this.process = process;
  }

  /** The file the process writes {@code -Xlog:gc} to, for {@link #gcPauses}. */
  public ServerProcess gcLog(Path file) {
    this.gcLog = file;
    return this;
  }

  /** Where the GC log ends now; pass it to {@link #gcPauses} later. */
  public long gcLogOffset() {
    try {
      return gcLog == null ? -1 : Files.size(gcLog);
    } catch (IOException e) {
      return -1;
    }
  }

  /** GC pauses logged since {@code offset}: count, longest and total, in milliseconds. */
  public JsonObject gcPauses(long offset) {
    JsonObject out = new JsonObject();
    if (gcLog == null || offset < 0) {
      return out;
    }
    try {
      byte[] all = Files.readAllBytes(gcLog);
      String text = new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset));
      Matcher m = Pattern.compile("Pause.* ([0-9.]+)ms").matcher(text);
      int count = 0;
      double max = 0;
      double total = 0;
      while (m.find()) {
        double ms = Double.parseDouble(m.group(1));
        count++;
        max = Math.max(max, ms);
        total += ms;
      }
      return out.put("gc_pauses", count).put("gc_pause_max_ms", Math.round(max * 10) / 10.0)
          .put("gc_pause_total_ms", Math.round(total));
    } catch (IOException | RuntimeException e) {
      return out.put("gc_log_error", e.toString());
    }
  }

  public static ServerProcess start(String name, List<String> command, Map<String, String> env, Path log,
      String readyUrl) throws IOException, InterruptedException {
    LOG.info("starting {}: {}", name, String.join(" ", command));
    ServerProcess server = new ServerProcess(name, ChildJvm.start(name, command, env, false, log));
    try {
      server.awaitReady(readyUrl, Duration.ofSeconds(90));
    } catch (IOException | InterruptedException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void awaitReady(String url, Duration limit) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.alive()) {
        throw new IOException(name + " exited with " + process.exitValue() + " before it was ready; log: " + process.log()
            + "\n" + tail());
      }
      try {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          LOG.info("{} is ready (pid {})", name, pid());
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IOException(name + " not ready at " + url + " after " + limit.toSeconds() + " s; log: " + process.log());
  }

  public long pid() {
    return process.pid();
  }

  public String tail() {
    return process.tail(15);
  }

  /** Resident set size in KiB, from /proc. */
  public long rssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      LOG.warn("no RSS for {}: {}", name, e.toString());
    }
    return -1;
  }

  /** User + system CPU time the process has used, in milliseconds (from /proc, 100 ticks a second). */
  public long cpuMs() {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Forces a full GC in the process (jcmd GC.run) and returns the heap in use afterwards, in KiB. */
  public long heapAfterGcKb() {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    try {
      run(List.of(jcmd.toString(), Long.toString(pid()), "GC.run"));
      String info = run(List.of(jcmd.toString(), Long.toString(pid()), "GC.heap_info"));
      Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
      return m.find() ? Long.parseLong(m.group(1)) : -1;
    } catch (IOException | InterruptedException e) {
      LOG.warn("jcmd failed for {}: {}", name, e.toString());
      return -1;
    }
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor(60, TimeUnit.SECONDS);
    return out;
  }

  public boolean alive() {
    return process.alive();
  }

  /** SIGTERM, 40 s for the graceful exit, then SIGKILL. */
  @Override
  public void close() {
    if (!process.alive()) {
      return;
    }
    process.stop(Duration.ofSeconds(40));
    LOG.info("stopped {}", name);
  }

  static List<String> java(List<String> flags, String... rest) {
    return ChildJvm.java(flags, rest);
  }
}
