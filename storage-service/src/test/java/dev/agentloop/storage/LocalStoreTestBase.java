package dev.agentloop.storage;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A Vert.x and a data directory of its own for each test of the embedded file store, and one owner. */
abstract class LocalStoreTestBase {

  static final String OWNER = "key_0123456789abcdef";

  @TempDir
  Path dataDir;
  Vertx vertx;

  @BeforeEach
  void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void close() {
    vertx.close().await();
  }
}
