package dev.agentloop.testkit;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A database of its own on the PostgreSQL the machine runs (PG* variables, else
 * {@code postgres@127.0.0.1:5432}), dropped on close, so parallel runs never collide. When no
 * server answers, the test is skipped, except under CI (variable {@code CI} set), where it fails.
 */
public final class TestPostgres implements AutoCloseable {

  private static final Map<String, String> ENV = System.getenv();
  public static final String HOST = ENV.getOrDefault("PGHOST", "127.0.0.1");
  public static final int PORT = Integer.parseInt(ENV.getOrDefault("PGPORT", "5432"));
  public static final String USER = ENV.getOrDefault("PGUSER", "postgres");
  private static final String PASSWORD = ENV.getOrDefault("PGPASSWORD", "");

  private final String database;

  private TestPostgres(String database) {
    this.database = database;
  }

  /** Skips (or, under CI, fails) the calling test when PostgreSQL does not answer. */
  public static void requireServer(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 1_000);
    } catch (IOException e) {
      Required.missing("PostgreSQL is not reachable at " + host + ":" + port + " (" + e.getMessage() + ")");
    }
  }

  public static TestPostgres createDatabase() {
    requireServer(HOST, PORT);
    String name = "agentloop_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    admin(HOST, PORT, "CREATE DATABASE " + name);
    return new TestPostgres(name);
  }

  /** Runs one statement on the {@code postgres} database of the given server. */
  public static void admin(String host, int port, String sql) {
    Vertx vertx = Vertx.vertx();
    try {
      PgConnectOptions options = new PgConnectOptions().setHost(host).setPort(port).setUser(USER)
          .setPassword(PASSWORD).setDatabase("postgres");
      PgConnection.connect(vertx, options)
          .compose(conn -> conn.query(sql).execute().eventually(conn::close))
          .await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("PostgreSQL: '" + sql + "' failed: " + e.getMessage(), e);
    } finally {
      vertx.close().await();
    }
  }

  public String database() {
    return database;
  }

  /** {@code postgresql://user[:password]@host:port/db}, for AGENTLOOP_PG_URL or {@code storage.postgres.url}. */
  public String url() {
    return url(HOST, PORT, database);
  }

  public static String url(String host, int port, String database) {
    return "postgresql://" + USER + (PASSWORD.isEmpty() ? "" : ":" + PASSWORD) + "@" + host + ":" + port + "/" + database;
  }

  @Override
  public void close() {
    admin(HOST, PORT, "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
  }
}
