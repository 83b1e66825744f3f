package dev.agentloop.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of its own (initdb in a temp dir, on 127.0.0.1 at a port of its own, trust
 * auth), which a test may stop, start or freeze without touching the shared server, and the bench
 * runs pgbench against. As root the server runs as user {@code postgres} through runuser, because
 * initdb refuses root. The directory is deleted on close.
 */
public final class ThrowawayPostgres implements AutoCloseable {

  private static final Path RUNUSER = Path.of("/usr/sbin/runuser");
  private static final Path BIN = findBin();
  private static final Duration COMMAND_LIMIT = Duration.ofMinutes(5);
  private final Path dir;
  private final int port;
  private final String serverOptions;

  private ThrowawayPostgres(Path dir, int port, String serverOptions) {
    this.dir = dir;
    this.port = port;
    this.serverOptions = serverOptions;
  }

  private static Path findBin() {
    for (String v : List.of("17", "16", "15", "14", "13")) {
      Path bin = Path.of("/usr/lib/postgresql", v, "bin");
      if (Files.isExecutable(bin.resolve("initdb"))) {
        return bin;
      }
    }
    return null;
  }

  /** Why a cluster cannot run here, or null when it can. */
  public static String unavailable() {
    if (BIN == null) {
      return "no PostgreSQL binaries (initdb) under /usr/lib/postgresql/*/bin";
    }
    if (isRoot() && !Files.isExecutable(RUNUSER)) {
      return "running as root without runuser (initdb refuses root)";
    }
    return null;
  }

  /** Whether {@code tool} (pgbench, psql) is beside the server binaries. */
  public static boolean hasTool(String tool) {
    return BIN != null && Files.isExecutable(BIN.resolve(tool));
  }

  /** A running cluster for a test, with fsync off; skipped (failed under CI) where none can run. */
  public static ThrowawayPostgres create() {
    String why = unavailable();
    if (why != null) {
      Required.missing(why);
    }
    return start(Ports.free(), "-c fsync=off");
  }

  /** Creates and starts a cluster on {@code port}, with {@code serverOptions} ({@code -c name=value ...}). */
  public static ThrowawayPostgres start(int port, String serverOptions) {
    try {
      Path dir = Files.createTempDirectory("agentloop-pg-");
      if (isRoot()) {
        UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
        Files.setOwner(dir, postgres);
      }
      ThrowawayPostgres pg = new ThrowawayPostgres(dir, port, serverOptions);
      pg.run(List.of(BIN.resolve("initdb").toString(), "-D", pg.data(), "-A", "trust", "-U", "postgres"), true);
      pg.start();
      return pg;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return port;
  }

  /** The directory of the cluster (its server log is {@code log} in it). */
  public Path dir() {
    return dir;
  }

  public String url(String database) {
    return "postgresql://postgres@127.0.0.1:" + port + "/" + database;
  }

  public void start() {
    run(List.of(BIN.resolve("pg_ctl").toString(), "-D", data(), "-l", dir.resolve("log").toString(), "-o",
        "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 " + serverOptions, "-w", "start"), true);
  }

  public void stop() {
    run(List.of(BIN.resolve("pg_ctl").toString(), "-D", data(), "-m", "fast", "-w", "stop"), true);
  }

  /** Runs {@code sql} with psql on the {@code postgres} database and returns its unaligned output. */
  public String psql(String sql) {
    return run(List.of(BIN.resolve("psql").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U",
        "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qAtc", sql), false);
  }

  /** Runs pgbench with the script for {@code seconds} and returns its transactions per second. */
  public double pgbench(Path script, int clients, int seconds) {
    String out = run(List.of(BIN.resolve("pgbench").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U",
        "postgres", "-n", "-M", "prepared", "-c", Integer.toString(clients), "-j", "2", "-T", Integer.toString(seconds),
        "-f", script.toString(), "postgres"), false);
    for (String line : out.split("\n")) {
      if (line.startsWith("tps = ")) {
        return Double.parseDouble(line.substring(6).trim().split(" ")[0]);
      }
    }
    throw new IllegalStateException("no tps in pgbench output:\n" + out);
  }

  /** SIGSTOP (or SIGCONT) to the server and every backend: a database that hangs instead of refusing. */
  public void signalAll(String signal) {
    try {
      long postmaster = Long.parseLong(Files.readAllLines(dir.resolve("data").resolve("postmaster.pid")).get(0).trim());
      ProcessHandle server = ProcessHandle.of(postmaster).orElseThrow();
      List<String> kill = new ArrayList<>(List.of("kill", "-" + signal, String.valueOf(postmaster)));
      server.descendants().forEach(p -> kill.add(String.valueOf(p.pid())));
      run(kill, false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String data() {
    return dir.resolve("data").toString();
  }

  private String run(List<String> command, boolean asPostgres) {
    List<String> full = new ArrayList<>();
    if (asPostgres && isRoot()) {
      full.addAll(List.of(RUNUSER.toString(), "-u", "postgres", "--"));
    }
    full.addAll(command);
    try {
      Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(COMMAND_LIMIT.toMillis(), TimeUnit.MILLISECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
      }
      return output;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** Thaws, stops and deletes the cluster. */
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
