package dev.agentloop.it.support;

import dev.agentloop.app.Agentloop;
import io.micrometer.core.instrument.MeterRegistry;
import dev.agentloop.contract.config.ConfigLoader;
import dev.agentloop.testkit.Ports;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A whole agentloop process started in-process exactly as {@code Main} starts it, on free ports,
 * with its own data directory and metrics registry.
 */
public final class TestApp implements AutoCloseable {

  private final Agentloop app;
  private final JsonObject config;
  private final Path dataDir;

  private TestApp(Agentloop app, JsonObject config, Path dataDir) {
    this.app = app;
    this.config = config;
    this.dataDir = dataDir;
  }

  /** Defaults, then {@code overrides} merged over them (maps merge, lists replace). */
  public static TestApp start(JsonObject overrides) {
    JsonObject config = config(overrides);
    try {
      Agentloop app = Agentloop.start(config).await(60, TimeUnit.SECONDS);
      return new TestApp(app, config, Path.of(config.getJsonObject("storage").getString("data_dir")));
    } catch (Exception e) {
      throw new IllegalStateException("agentloop did not start: " + e.getMessage(), e);
    }
  }

  /** As {@link #start(JsonObject)}, then the {@code AGENTLOOP_*} variables of {@code env} over that. */
  public static TestApp start(JsonObject overrides, Map<String, String> env) {
    JsonObject config = ConfigLoader.withEnvironment(config(overrides), env);
    try {
      Agentloop app = Agentloop.start(config).await(60, TimeUnit.SECONDS);
      return new TestApp(app, config, Path.of(config.getJsonObject("storage").getString("data_dir")));
    } catch (Exception e) {
      throw new IllegalStateException("agentloop did not start: " + e.getMessage(), e);
    }
  }

  public static TestApp start() {
    return start(new JsonObject());
  }

  /** The configuration a test app would run with, ports and directories filled in. */
  public static JsonObject config(JsonObject overrides) {
    JsonObject config = ConfigLoader.defaults();
    try {
      Path dataDir = Files.createTempDirectory("agentloop-test-");
      ConfigLoader.merge(config, new JsonObject()
          .put("gateway", new JsonObject().put("port", 0).put("host", "127.0.0.1").put("instances", 2))
          .put("llm", new JsonObject().put("http_port", freePort()).put("http_host", "127.0.0.1").put("instances", 2))
          .put("storage", new JsonObject().put("data_dir", dataDir.toString()))
          .put("metrics", new JsonObject().put("registry_name", "test-" + UUID.randomUUID()))
          .put("shutdown", new JsonObject().put("grace_ms", 5_000).put("pre_stop_delay_ms", 0)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ConfigLoader.merge(config, overrides.copy());
  }

  public static int freePort() {
    return Ports.free();
  }

  public Agentloop app() {
    return app;
  }

  public Vertx vertx() {
    return app.vertx();
  }

  /** This app's own metrics registry (its node's). */
  public MeterRegistry registry() {
    return app.node().registry();
  }

  public JsonObject config() {
    return config;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** The gateway's base URL, e.g. {@code http://127.0.0.1:40123}. */
  public String gatewayUrl() {
    return "http://127.0.0.1:" + app.gatewayPort();
  }

  /** The gateway's chat completions endpoint. */
  public String chatUrl() {
    return gatewayUrl() + "/v1/chat/completions";
  }

  /** The mock's own OpenAI-compatible port. */
  public String llmUrl() {
    return "http://127.0.0.1:" + app.llmHttpPort();
  }

  /** The fronts that serve the OpenAI routes alike: the gateway and the mock's own port. */
  public static Stream<String> fronts() {
    return Stream.of("gateway", "llm");
  }

  /** The base URL of {@code front}, one of {@link #fronts()}. */
  public String url(String front) {
    return front.equals("gateway") ? gatewayUrl() : llmUrl();
  }

  @Override
  public void close() {
    try {
      app.shutdown().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("agentloop did not stop: " + e.getMessage(), e);
    }
  }
}
