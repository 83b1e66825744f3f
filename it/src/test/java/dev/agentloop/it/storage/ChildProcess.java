package dev.agentloop.it.storage;

import dev.agentloop.it.support.Await;
import dev.agentloop.it.support.TestApp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * agentloop in a separate JVM ({@code dev.agentloop.app.Main} on this test's class path), so a
 * test can {@code kill -9} it. Ready once it logs "gateway listening".
 */
final class ChildProcess {

  private final Process process;
  private final int port;
  private final List<String> output = new CopyOnWriteArrayList<>();

  private ChildProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static ChildProcess start(Map<String, String> agentloopEnv) throws IOException {
    int port = TestApp.freePort();
    String java = ProcessHandle.current().info().command().orElseThrow();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), "dev.agentloop.app.Main"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(key -> key.startsWith("AGENTLOOP_"));
    Map<String, String> mine = new HashMap<>(agentloopEnv);
    mine.put("AGENTLOOP_HTTP_PORT", String.valueOf(port));
    mine.put("AGENTLOOP_LLM_HTTP_PORT", "0");
    env.putAll(mine);
    ChildProcess child = new ChildProcess(builder.start(), port);
    Thread reader = new Thread(child::drainOutput, "child-output-" + port);
    reader.setDaemon(true);
    reader.start();
    try {
      Await.until("the child process to log 'gateway listening'", Duration.ofSeconds(60),
          () -> child.output.stream().anyMatch(line -> line.contains("gateway listening")) || !child.process.isAlive());
    } catch (AssertionError e) {
      child.kill9();
      throw new AssertionError(e.getMessage() + "; output:\n" + String.join("\n", child.output));
    }
    if (!child.process.isAlive()) {
      throw new AssertionError("the child process exited: " + String.join("\n", child.output));
    }
    return child;
  }

  private void drainOutput() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        output.add(line);
      }
    } catch (IOException e) {
      // the process is gone
    }
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  /** SIGKILL: no shutdown hook, no flush, nothing. */
  void kill9() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGTERM and wait for the graceful exit. */
  void stop() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        kill9();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new IOException(e));
    }
  }
}
