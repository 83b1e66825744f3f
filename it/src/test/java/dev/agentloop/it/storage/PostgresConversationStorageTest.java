package dev.agentloop.it.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.it.support.Http;
import dev.agentloop.it.support.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The storage suite against PostgreSQL: a database of its own on the shared server, dropped afterwards. */
class PostgresConversationStorageTest extends ConversationStorageSuite {

  private TestPostgres database;

  @Override
  protected void openBackend() {
    database = TestPostgres.createDatabase();
  }

  @Override
  protected void closeBackend() {
    if (database != null) {
      database.close();
    }
  }

  @Override
  protected JsonObject storageConfig() {
    return new JsonObject().put("backend", "postgres").put("postgres", new JsonObject().put("url", database.url()));
  }

  @Override
  protected Map<String, String> processEnv(Path dataDir) {
    return Map.of("AGENTLOOP_STORAGE", "postgres", "AGENTLOOP_PG_URL", database.url(),
        "AGENTLOOP_DATA_DIR", dataDir.toString());
  }

  @Test
  void the_connection_pool_is_exported_in_metrics_under_its_name() {
    create("metrics");
    assertThat(Http.get(base + "/metrics").body()).contains("pool_name=\"agentloop-pg\"");
  }

  @Override
  protected String backend() {
    return "postgres";
  }
}
