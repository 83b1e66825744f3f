package dev.agentloop.it.storage;

/** The ownership suite against PostgreSQL: databases of its own on the shared server, dropped afterwards. */
class PostgresOwnershipTest extends OwnershipSuite {

  PostgresOwnershipTest() {
    super(StorageBackend.postgres());
  }
}
