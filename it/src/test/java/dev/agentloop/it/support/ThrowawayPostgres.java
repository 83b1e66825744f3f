package dev.agentloop.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A PostgreSQL cluster of the test's own (initdb in a temp dir owned by {@code postgres}, on a free
 * port, trust auth), which a test may stop and start without touching the shared server.
 */
public final class ThrowawayPostgres implements AutoCloseable {

  private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
  private final Path dir;
  private final int port;

  private ThrowawayPostgres(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  public static ThrowawayPostgres create() {
    if (!Files.isExecutable(BIN.resolve("initdb")) || !Files.isExecutable(Path.of("/usr/sbin/runuser"))) {
      String why = "no PostgreSQL 15 binaries or runuser here";
      if (System.getenv("CI") != null) {
        Assertions.fail(why + "; CI is set, so PostgreSQL tests must run");
      }
      Assumptions.abort(why);
    }
    try {
      Path dir = Files.createTempDirectory("agentloop-pg-");
      UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
      Files.setOwner(dir, postgres);
      ThrowawayPostgres pg = new ThrowawayPostgres(dir, TestApp.freePort());
      pg.run(List.of(BIN.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-A", "trust", "-U",
          "postgres"));
      pg.start();
      return pg;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return port;
  }

  public String url(String database) {
    return TestPostgres.url("127.0.0.1", port, database);
  }

  public void start() {
    run(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
        dir.resolve("log").toString(), "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off",
        "-w", "start"));
  }

  public void stop() {
    run(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop"));
  }

  /** SIGSTOP (or SIGCONT) to the server and every backend: a database that hangs instead of refusing. */
  public void signalAll(String signal) {
    try {
      long postmaster = Long.parseLong(Files.readAllLines(dir.resolve("data").resolve("postmaster.pid")).get(0).trim());
      ProcessHandle server = ProcessHandle.of(postmaster).orElseThrow();
      List<String> kill = new ArrayList<>(List.of("kill", "-" + signal, String.valueOf(postmaster)));
      server.descendants().forEach(p -> kill.add(String.valueOf(p.pid())));
      Process process = new ProcessBuilder(kill).redirectErrorStream(true).start();
      if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " failed: " + new String(process.getInputStream().readAllBytes()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void run(List<String> command) {
    List<String> full = new ArrayList<>(List.of("/usr/sbin/runuser", "-u", "postgres", "--"));
    full.addAll(command);
    try {
      Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes());
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      signalAll("CONT");
    } catch (RuntimeException ignored) {
      // not running
    }
    try {
      stop();
    } catch (RuntimeException ignored) {
      // already stopped
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
