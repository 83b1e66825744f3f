package dev.agentloop.it.storage;

import dev.agentloop.testkit.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The storage a {@link BackendSuite} runs against: the embedded file store (a fresh data directory
 * for every storage section) or PostgreSQL (a fresh database of its own on the shared server for
 * every section, all dropped on close).
 */
final class StorageBackend {

  private final String name;
  private final String dirPrefix;
  private final List<TestPostgres> databases = new ArrayList<>();

  private StorageBackend(String name, String dirPrefix) {
    this.name = name;
    this.dirPrefix = dirPrefix;
  }

  /** The file store, with data directories named {@code dirPrefix...}. */
  static StorageBackend local(String dirPrefix) {
    return new StorageBackend("local", dirPrefix);
  }

  static StorageBackend postgres() {
    return new StorageBackend("postgres", null);
  }

  String name() {
    return name;
  }

  /** Checks the backend can run; skips the suite (fails it under CI) when it cannot. */
  void open() {
    if (isPostgres()) {
      TestPostgres.requireServer(TestPostgres.HOST, TestPostgres.PORT);
    }
  }

  /** Drops every database this backend created. */
  void close() {
    databases.forEach(TestPostgres::close);
    databases.clear();
  }

  /** A {@code storage} section with fresh storage of its own; apps started with the same one share their data. */
  JsonObject storageConfig() {
    if (isPostgres()) {
      TestPostgres database = TestPostgres.createDatabase();
      databases.add(database);
      return new JsonObject().put("backend", "postgres").put("postgres", new JsonObject().put("url", database.url()));
    }
    try {
      return new JsonObject().put("backend", "local").put("data_dir", Files.createTempDirectory(dirPrefix).toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The AGENTLOOP_* variables that select {@code storage} (a section of this backend) in a separate process. */
  Map<String, String> processEnv(JsonObject storage, Path dataDir) {
    if (isPostgres()) {
      return Map.of("AGENTLOOP_STORAGE", "postgres", "AGENTLOOP_PG_URL",
          storage.getJsonObject("postgres").getString("url"), "AGENTLOOP_DATA_DIR", dataDir.toString());
    }
    return Map.of("AGENTLOOP_STORAGE", "local", "AGENTLOOP_DATA_DIR", dataDir.toString());
  }

  private boolean isPostgres() {
    return dirPrefix == null;
  }
}
