package dev.agentloop.storage;

import dev.agentloop.contract.config.Settings;
import io.vertx.pgclient.PgConnectOptions;
import java.nio.file.Path;
import java.util.List;

/** The {@code storage} section, parsed once and checked. */
public record StorageConfig(String backend, Path dataDir, Local local, Postgres postgres, Keys keys) {

  /** {@code storage.idempotency}: how many keys an owner may hold at once, and how often expired ones go. */
  public record Keys(int maxPerOwner, long sweepIntervalMs) {
  }

  /** {@code storage.local}: the embedded store. */
  public record Local(int maxRecordBytes) {
  }

  /** {@code storage.postgres}: where the database is and how the pool behaves when it is slow or gone. */
  public record Postgres(String url, int poolSize, int waitQueueSize, int connectTimeoutMs, int acquireTimeoutMs,
      int idleTimeoutMs, int queryTimeoutMs, String poolName) {
  }

  /** Reads the {@code storage} section. */
  public static StorageConfig from(Settings storage) {
    Settings pg = storage.section("postgres");
    Settings keys = storage.section("idempotency");
    String url = pg.optionalString("url");
    if (url != null && !url.isBlank()) {
      try {
        PgConnectOptions.fromUri(url.trim());
      } catch (RuntimeException e) {
        throw pg.error("url", "must look like postgresql://user:password@host:port/database");
      }
    }
    return new StorageConfig(
        storage.oneOf("backend", List.of("local", "postgres")),
        Path.of(storage.string("data_dir")),
        new Local(storage.section("local").integer("max_record_bytes", 1024, Frames.MAX_PAYLOAD)),
        new Postgres(
            url == null || url.isBlank() ? null : url.trim(),
            pg.integer("pool_size", 1, 512),
            pg.integer("wait_queue_size", 1, 100_000),
            pg.integer("connect_timeout_ms", 50, 60_000),
            pg.integer("acquire_timeout_ms", 50, 60_000),
            pg.integer("idle_timeout_ms", 0, 3_600_000),
            pg.integer("query_timeout_ms", 50, 600_000),
            pg.string("pool_name")),
        new Keys(keys.integer("max_keys_per_owner", 1, 10_000_000), keys.integer("sweep_interval_ms", 100, 3_600_000)));
  }
}
