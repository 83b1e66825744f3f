package dev.agentloop.it.storage;

/** The ownership suite against the embedded file store. */
class LocalOwnershipTest extends OwnershipSuite {

  LocalOwnershipTest() {
    super(StorageBackend.local("agentloop-owners-"));
  }
}
