package dev.agentloop.it.storage;

import dev.agentloop.it.support.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** The ownership suite against PostgreSQL: databases of its own on the shared server, dropped afterwards. */
class PostgresOwnershipTest extends OwnershipSuite {

  private final List<TestPostgres> databases = new ArrayList<>();

  @Override
  protected void openBackend() {
    TestPostgres.requireServer(TestPostgres.HOST, TestPostgres.PORT);
  }

  @Override
  protected void closeBackend() {
    databases.forEach(TestPostgres::close);
  }

  @Override
  protected JsonObject storageConfig() {
    TestPostgres database = TestPostgres.createDatabase();
    databases.add(database);
    return new JsonObject().put("backend", "postgres").put("postgres", new JsonObject().put("url", database.url()));
  }
}
