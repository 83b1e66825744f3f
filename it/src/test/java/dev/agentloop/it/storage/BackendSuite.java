package dev.agentloop.it.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Http;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
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

  /** mock-fast: {@code tokens} tokens, at once. */
  static JsonObject mockFast(int tokens) {
    return new JsonObject().put("id", "mock-fast").put("tokens", tokens);
  }

  /** mock-echo: answers with what it was sent. */
  static JsonObject mockEcho() {
    return new JsonObject().put("id", "mock-echo").put("echo", true);
  }

  /** mock-long: 5000 tokens 20 ms apart, a generation that runs until something stops it. */
  static JsonObject mockLong() {
    return new JsonObject().put("id", "mock-long").put("first_token_ms", 0).put("per_token_ms", 20).put("tokens", 5000);
  }

  /** Asserts an error response with {@code status} in OpenAI's shape, with a message, and returns its error. */
  static JsonObject error(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonObject error = Http.json(response).getJsonObject("error");
    assertThat(error).as(response.body()).isNotNull();
    assertThat(error.getString("message")).isNotBlank();
    return error;
  }

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
