package dev.agentloop.it.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * agentloop's {@code Main} in a separate JVM, with the test classpath, so tests can send it real
 * signals (SIGTERM, SIGKILL) and read its exit code and output.
 */
public final class AgentloopProcess implements AutoCloseable {

  private final Process process;
  private final List<String> output = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private AgentloopProcess(Process process) {
    this.process = process;
    reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          output.add(line);
        }
      } catch (IOException ignored) {
        // the process is gone
      }
    }, "agentloop-process-output");
    reader.setDaemon(true);
    reader.start();
  }

  public static AgentloopProcess start(Map<String, String> env) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        "dev.agentloop.app.Main"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("AGENTLOOP_"));
    builder.environment().putAll(env);
    try {
      return new AgentloopProcess(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until a line containing {@code text} was printed, or fails with the output so far. */
  public String awaitLine(String text, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (String line : output) {
        if (line.contains(text)) {
          return line;
        }
      }
      if (!process.isAlive() && output.stream().noneMatch(l -> l.contains(text))) {
        break;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new AssertionError("no line containing '" + text + "'; output:\n" + String.join("\n", output));
  }

  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("process still running after " + timeout + "; output:\n" + String.join("\n", output));
      }
      reader.join(TimeUnit.SECONDS.toMillis(10));
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public List<String> output() {
    return List.copyOf(output);
  }

  public long pid() {
    return process.pid();
  }

  /** SIGTERM. ({@code Process.destroy()} would also close our end of its output pipe.) */
  public void terminate() {
    process.toHandle().destroy();
  }

  /** SIGKILL: no shutdown of any kind. */
  public void kill() {
    process.toHandle().destroyForcibly();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
