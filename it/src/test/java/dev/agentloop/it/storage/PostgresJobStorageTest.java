package dev.agentloop.it.storage;

/** The jobs suite against PostgreSQL: databases of its own on the shared server, dropped afterwards. */
class PostgresJobStorageTest extends JobStorageSuite {

  PostgresJobStorageTest() {
    super(StorageBackend.postgres());
  }
}
