package dev.agentloop.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway PostgreSQL cluster for the persistence scenario (initdb in a temp dir, trust auth, on
 * 127.0.0.1), and pgbench against it. As root (as here) the server runs as user {@code postgres}
 * through runuser, because initdb refuses root.
 */
final class Postgres implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger("bench");
  private static final Path BIN = findBin();
  private final Path dir;
  private final int port;

  private Postgres(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  private static Path findBin() {
    for (String v : List.of("17", "16", "15", "14", "13")) {
      Path bin = Path.of("/usr/lib/postgresql", v, "bin");
      if (Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pgbench"))) {
        return bin;
      }
    }
    return null;
  }

  /** Why PostgreSQL cannot run here, or null when it can. */
  static String unavailable() {
    if (BIN == null) {
      return "no PostgreSQL binaries (initdb, pgbench) under /usr/lib/postgresql/*/bin";
    }
    if (isRoot() && !Files.isExecutable(Path.of("/usr/sbin/runuser"))) {
      return "running as root without runuser (initdb refuses root)";
    }
    return null;
  }

  static Postgres start(int port) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("agentloop-bench-pg-");
    if (isRoot()) {
      UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
      Files.setOwner(dir, postgres);
    }
    Postgres pg = new Postgres(dir, port);
    pg.run(List.of(BIN.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-A", "trust", "-U",
        "postgres"), true);
    pg.run(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
        dir.resolve("server.log").toString(), "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1"
            + " -c max_connections=200", "-w", "start"), true);
    LOG.info("PostgreSQL started on 127.0.0.1:{} in {}", port, dir);
    return pg;
  }

  String url() {
    return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
  }

  String psql(String sql) throws IOException, InterruptedException {
    return run(List.of(BIN.resolve("psql").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres",
        "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qAtc", sql), false);
  }

  /** Runs pgbench with the script for {@code seconds} and returns its transactions per second. */
  double pgbench(Path script, int clients, int seconds) throws IOException, InterruptedException {
    String out = run(List.of(BIN.resolve("pgbench").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U",
        "postgres", "-n", "-M", "prepared", "-c", Integer.toString(clients), "-j", "2", "-T", Integer.toString(seconds),
        "-f", script.toString(), "postgres"), false);
    for (String line : out.split("\n")) {
      if (line.startsWith("tps = ")) {
        return Double.parseDouble(line.substring(6).trim().split(" ")[0]);
      }
    }
    throw new IOException("no tps in pgbench output:\n" + out);
  }

  private String run(List<String> command, boolean asPostgres) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (asPostgres && isRoot()) {
      full.addAll(List.of("/usr/sbin/runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed:\n" + out);
    }
    return out;
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  @Override
  public void close() {
    try {
      run(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop"),
          true);
      LOG.info("PostgreSQL stopped");
    } catch (IOException | InterruptedException e) {
      LOG.warn("could not stop PostgreSQL in {}: {}", dir, e.getMessage());
    }
  }
}
