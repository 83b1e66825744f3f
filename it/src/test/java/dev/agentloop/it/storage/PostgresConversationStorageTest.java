package dev.agentloop.it.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.testkit.Http;
import org.junit.jupiter.api.Test;

/** The storage suite against PostgreSQL: a database of its own on the shared server, dropped afterwards. */
class PostgresConversationStorageTest extends ConversationStorageSuite {

  PostgresConversationStorageTest() {
    super(StorageBackend.postgres());
  }

  @Test
  void the_connection_pool_is_exported_in_metrics_under_its_name() {
    create("metrics");
    assertThat(Http.get(base + "/metrics").body()).contains("pool_name=\"agentloop-pg\"");
  }
}
