package dev.agentloop.it.storage;

import dev.agentloop.it.support.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * A suite run once per storage backend (see the subclasses): the backend is opened, one app is
 * started on a storage section of it for the whole class, and both are closed afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BackendSuite {

  private final StorageBackend backend;
  protected TestApp app;

  protected BackendSuite(StorageBackend backend) {
    this.backend = backend;
  }

  /** The whole configuration of an app on {@code storage}. */
  protected abstract JsonObject appConfig(JsonObject storage);

  /** Called once the class's app runs. */
  protected void appStarted() {
  }

  protected StorageBackend backend() {
    return backend;
  }

  /** A {@code storage} section with fresh storage of its own; apps started with the same one share their data. */
  protected JsonObject storageConfig() {
    return backend.storageConfig();
  }

  @BeforeAll
  void startApp() {
    backend.open();
    app = TestApp.start(appConfig(storageConfig()));
    appStarted();
  }

  @AfterAll
  void stopApp() {
    try {
      if (app != null) {
        app.close();
      }
    } finally {
      backend.close();
    }
  }
}
