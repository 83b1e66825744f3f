package dev.agentloop.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A JVM in a separate process, so a test or the bench can send it real signals (SIGTERM, SIGKILL),
 * read its exit code and its output. The output goes to a file (one the caller names, else a
 * temporary one deleted on close), so nothing of it is held in memory and no pipe can fill.
 */
public final class ChildJvm implements AutoCloseable {

  /** agentloop's launcher, started by name: this module does not depend on it. */
  public static final String AGENTLOOP_MAIN = "dev.agentloop.app.Main";

  private final String name;
  private final Process process;
  private final Path log;
  private final boolean ownLog;

  private ChildJvm(String name, Process process, Path log, boolean ownLog) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.ownLog = ownLog;
  }

  /** {@code java} of this JVM's home, then {@code flags}, then {@code rest}. */
  public static List<String> java(List<String> flags, String... rest) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(flags);
    command.addAll(List.of(rest));
    return command;
  }

  /**
   * agentloop's {@code Main} with this JVM's class path and the given flags; every inherited
   * {@code AGENTLOOP_*} variable is removed, then {@code env} is added.
   */
  public static ChildJvm agentloop(List<String> flags, Map<String, String> env) {
    List<String> command = new ArrayList<>(flags);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), AGENTLOOP_MAIN));
    return start("agentloop", java(command), env, true, null);
  }

  /** agentloop's {@code Main} with a 256 MiB heap. */
  public static ChildJvm agentloop(Map<String, String> env) {
    return agentloop(List.of("-Xmx256m"), env);
  }

  /**
   * Starts {@code command} with {@code env} added to the inherited environment (with every
   * inherited {@code AGENTLOOP_*} variable removed first when {@code isolate}), its output and
   * errors written to {@code log} (a temporary file when null).
   */
  public static ChildJvm start(String name, List<String> command, Map<String, String> env, boolean isolate,
      Path log) {
    try {
      Path file = log != null ? log : Files.createTempFile("agentloop-child-", ".log");
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(file.toFile());
      if (isolate) {
        builder.environment().keySet().removeIf(k -> k.startsWith("AGENTLOOP_"));
      }
      builder.environment().putAll(env);
      return new ChildJvm(name, builder.start(), file, log == null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until a line containing {@code text} was printed, or fails with the output so far. */
  public String awaitLine(String text, Duration timeout) {
    String[] found = new String[1];
    try {
      Await.until(name + " to print '" + text + "'", timeout, Duration.ofMillis(20), () -> {
        found[0] = output().stream().filter(line -> line.contains(text)).findFirst().orElse(null);
        return found[0] != null || !process.isAlive();
      });
    } catch (AssertionError timedOut) {
      // reported below with the output
    }
    if (found[0] == null) {
      found[0] = output().stream().filter(line -> line.contains(text)).findFirst().orElse(null);
    }
    if (found[0] == null) {
      throw new AssertionError("no line containing '" + text + "' from " + name
          + (process.isAlive() ? "" : " (exited with " + process.exitValue() + ")") + "; output:\n"
          + String.join("\n", output()));
    }
    return found[0];
  }

  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(name + " still running after " + timeout + "; output:\n" + String.join("\n", output()));
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Every line printed so far. */
  public List<String> output() {
    try {
      return List.of(new String(Files.readAllBytes(log), StandardCharsets.UTF_8).split("\n", -1)).stream()
          .filter(line -> !line.isEmpty()).toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The last {@code lines} lines printed. */
  public String tail(int lines) {
    List<String> all = output();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  public Path log() {
    return log;
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  public int exitValue() {
    return process.exitValue();
  }

  /** SIGTERM, without waiting. */
  public void terminate() {
    process.toHandle().destroy();
  }

  /** SIGKILL, without waiting: no shutdown of any kind. */
  public void kill() {
    process.toHandle().destroyForcibly();
  }

  /** SIGKILL, then waits (up to 30 s) until the process is gone: no shutdown hook, no flush, nothing. */
  public void kill9() {
    kill();
    waitGone(Duration.ofSeconds(30));
  }

  /** SIGTERM and waits up to {@code grace} for the graceful exit; SIGKILL after that. */
  public void stop(Duration grace) {
    if (!process.isAlive()) {
      return;
    }
    terminate();
    if (!waitGone(grace)) {
      kill();
      waitGone(Duration.ofSeconds(10));
    }
  }

  private boolean waitGone(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
      return false;
    }
  }

  /** SIGKILL when still running, and the temporary output file deleted. */
  @Override
  public void close() {
    if (process.isAlive()) {
      kill9();
    }
    if (ownLog) {
      try {
        Files.deleteIfExists(log);
      } catch (IOException ignored) {
        // a temporary file
      }
    }
  }
}
