package dev.agentloop.contract.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @Test
  @DisplayName("with nothing set, the defaults of the SPEC apply")
  void defaults() {
    JsonObject config = ConfigLoader.load(Map.of());
    assertThat(config.getJsonObject("gateway").getInteger("port")).isEqualTo(8080);
    assertThat(config.getJsonObject("llm").getInteger("http_port")).isEqualTo(8081);
    assertThat(config.getJsonArray("services")).containsExactly("gateway", "llm", "storage");
    assertThat(config.getJsonObject("storage").getString("backend")).isEqualTo("local");
    assertThat(config.getJsonObject("storage").getString("data_dir")).isEqualTo("./data");
    assertThat(config.getJsonObject("cluster").getBoolean("enabled")).isFalse();
    assertThat(config.getJsonObject("llm").getJsonArray("models").stream().map(m -> ((JsonObject) m).getString("id")))
        .containsExactly("mock-fast", "mock-realistic", "mock-slow", "mock-flaky", "mock-echo");
  }

  @Test
  @DisplayName("every AGENTLOOP_* variable of the SPEC overrides its setting")
  void environment_overrides() {
    JsonObject config = ConfigLoader.load(Map.ofEntries(
        Map.entry("AGENTLOOP_HTTP_PORT", "9000"),
        Map.entry("AGENTLOOP_LLM_HTTP_PORT", "0"),
        Map.entry("AGENTLOOP_SERVICES", "gateway, llm"),
        Map.entry("AGENTLOOP_STORAGE", "postgres"),
        Map.entry("AGENTLOOP_DATA_DIR", "/tmp/x"),
        Map.entry("AGENTLOOP_PG_URL", "postgresql://u:p@h:5/db"),
        Map.entry("AGENTLOOP_API_KEYS", "k1,k2"),
        Map.entry("AGENTLOOP_CLUSTER", "true"),
        Map.entry("AGENTLOOP_CLUSTER_HOST", "10.0.0.5"),
        Map.entry("AGENTLOOP_CLUSTER_MEMBERS", "10.0.0.5,10.0.0.6")));
    assertThat(config.getJsonObject("gateway").getInteger("port")).isEqualTo(9000);
    assertThat(config.getJsonObject("llm").getInteger("http_port")).isZero();
    assertThat(config.getJsonArray("services")).containsExactly("gateway", "llm");
    assertThat(config.getJsonObject("storage").getString("backend")).isEqualTo("postgres");
    assertThat(config.getJsonObject("storage").getString("data_dir")).isEqualTo("/tmp/x");
    assertThat(config.getJsonObject("storage").getJsonObject("postgres").getString("url")).isEqualTo("postgresql://u:p@h:5/db");
    assertThat(config.getJsonObject("gateway").getJsonArray("api_keys")).containsExactly("k1", "k2");
    AgentloopConfig process = AgentloopConfig.from(Settings.root(config));
    assertThat(process.clustered()).isTrue();
    assertThat(process.clusterHost()).isEqualTo("10.0.0.5");
    assertThat(process.clusterMembers()).containsExactly("10.0.0.5", "10.0.0.6");
  }

  @Test
  @DisplayName("the YAML file merges over the defaults, and the environment wins over the file")
  void file_then_environment(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("agentloop.yaml");
    Files.writeString(file, """
        gateway:
          port: 7000
          timeouts: { total_ms: 900 }
        llm:
          models:
            - { id: only-one, tokens: 3 }
        """);
    JsonObject config = ConfigLoader.load(Map.of("AGENTLOOP_CONFIG", file.toString(), "AGENTLOOP_HTTP_PORT", "7001"));
    assertThat(config.getJsonObject("gateway").getInteger("port")).isEqualTo(7001);
    assertThat(config.getJsonObject("gateway").getJsonObject("timeouts").getInteger("total_ms")).isEqualTo(900);
    assertThat(config.getJsonObject("gateway").getJsonObject("timeouts").getInteger("first_token_ms")).isEqualTo(10_000);
    assertThat(config.getJsonObject("llm").getJsonArray("models")).isEqualTo(new JsonArray().add(
        new JsonObject().put("id", "only-one").put("tokens", 3)));
  }

  @Test
  @DisplayName("bad values fail fast with one line naming the setting")
  void bad_values() {
    loadFails("AGENTLOOP_HTTP_PORT", "http").hasMessageContaining("AGENTLOOP_HTTP_PORT").hasMessageContaining("http");
    loadFails("AGENTLOOP_CLUSTER", "maybe").hasMessageContaining("AGENTLOOP_CLUSTER");
    loadFails("AGENTLOOP_SERVICES", "gateway,billing").hasMessageContaining("services").hasMessageContaining("billing");
    loadFails("AGENTLOOP_CONFIG", "/no/such/file.yaml").hasMessageContaining("/no/such/file.yaml");
    loadFails("AGENTLOOP_SHUTDOWN_GRACE_MS", "-5").hasMessageContaining("shutdown.grace_ms");
  }

  @Test
  @DisplayName("a retired gateway.retry key in the file is a start-up error naming the key that replaced it")
  void retired_retry_keys_name_their_replacement(@TempDir Path dir) throws Exception {
    fileFails(dir, "attempts.yaml", "gateway:\n  retry:\n    max_attempts: 2\n")
        .hasMessageStartingWith("gateway.retry.max_attempts is no longer supported: use gateway.resilience.retries.max_attempts");
    fileFails(dir, "backoff.yaml", "gateway:\n  retry: { backoff_ms: 10 }\n")
        .hasMessageStartingWith("gateway.retry.backoff_ms is no longer supported: use gateway.resilience.retries.base_delay_ms");
    fileFails(dir, "empty.yaml", "gateway:\n  retry: {}\n").hasMessageContaining("use gateway.resilience.retries");
    assertThat(ConfigLoader.defaults().getJsonObject("gateway").containsKey("retry"))
        .as("the defaults no longer carry the old section").isFalse();
  }

  @Test
  @DisplayName("invalid YAML is reported in one line with the file name")
  void invalid_yaml(@TempDir Path dir) throws Exception {
    fileFails(dir, "broken.yaml", "gateway: [unclosed\n  port: 1").hasMessageContaining("broken.yaml")
        .satisfies(e -> assertThat(e.getMessage().lines().count()).isEqualTo(1));
  }

  @Test
  @DisplayName("typed reads name the full key of a bad value")
  void settings_errors() {
    Settings gateway = Settings.root(new JsonObject().put("gateway", new JsonObject().put("port", 70000)
        .put("hosts", List.of()))).section("gateway");
    assertThatThrownBy(() -> gateway.integer("port", 8080, 0, 65535))
        .isInstanceOf(ConfigException.class).hasMessage("gateway.port must be between 0 and 65535, got 70000");
  }

  @Test
  @DisplayName("AGENTLOOP_<SECTION>__<KEY>__<SUBKEY> sets any key, typed like its default, beside the short variables")
  void generic_environment_override() {
    JsonObject config = ConfigLoader.load(Map.of(
        "AGENTLOOP_GATEWAY__LIMITS__MAX_JSON_DEPTH", "32",
        "AGENTLOOP_GATEWAY__RATE_LIMITS__REQUESTS_PER_SECOND", "2.5",
        "AGENTLOOP_GATEWAY__TLS_TERMINATED_UPSTREAM", "yes",
        "AGENTLOOP_CLUSTER__MEMBERS", "a, b",
        "AGENTLOOP_STORAGE__POSTGRES__POOL_NAME", "pg-2",
        "AGENTLOOP_HTTP_PORT", "9001"));
    JsonObject gateway = config.getJsonObject("gateway");
    assertThat(gateway.getJsonObject("limits").getValue("max_json_depth")).isEqualTo(32);
    assertThat(gateway.getJsonObject("limits").getInteger("max_messages")).isEqualTo(1024);
    assertThat(gateway.getJsonObject("rate_limits").getValue("requests_per_second")).isEqualTo(2.5);
    assertThat(gateway.getValue("tls_terminated_upstream")).isEqualTo(true);
    assertThat(gateway.getInteger("port")).isEqualTo(9001);
    assertThat(config.getJsonObject("cluster").getJsonArray("members")).containsExactly("a", "b");
    assertThat(config.getJsonObject("storage").getJsonObject("postgres").getString("pool_name")).isEqualTo("pg-2");
    assertThat(HttpLimits.from(Settings.root(config).section("gateway")).maxJsonDepth()).isEqualTo(32);
  }

  @Test
  @DisplayName("a generic variable naming no key, or with a value of the wrong type, fails naming it")
  void generic_environment_errors() {
    loadFails("AGENTLOOP_GATEWAY__LIMITS__MAX_JSON_DEPHT", "32")
        .hasMessageContaining("AGENTLOOP_GATEWAY__LIMITS__MAX_JSON_DEPHT").hasMessageContaining("gateway.limits.max_json_depht");
    loadFails("AGENTLOOP_NOSUCH__KEY", "1").hasMessageContaining("nosuch.key");
    loadFails("AGENTLOOP_GATEWAY__LIMITS", "1").hasMessageContaining("gateway.limits is a section");
    loadFails("AGENTLOOP_GATEWAY__LIMITS__MAX_JSON_DEPTH", "deep")
        .hasMessageContaining("AGENTLOOP_GATEWAY__LIMITS__MAX_JSON_DEPTH")
        .hasMessageContaining("whole number");
    loadFails("AGENTLOOP_SHUTDOWN__GRACE_MS", "-1").hasMessageContaining("shutdown.grace_ms");
  }

  @Test
  @DisplayName("a key of the YAML file that the defaults do not have fails naming it, in a model's section too")
  void unknown_yaml_keys(@TempDir Path dir) throws Exception {
    fileFails(dir, "typo.yaml", "gateway:\n  limits: { max_json_dpth: 3 }\n")
        .hasMessageContaining("gateway.limits.max_json_dpth")
        .hasMessageContaining("typo.yaml");
    fileFails(dir, "top.yaml", "gatway: { port: 1 }\n").hasMessageContaining("gatway");
    fileFails(dir, "model.yaml", "gateway:\n  models:\n    mock-slow: { timeouts: { first_tokn_ms: 5 } }\n")
        .hasMessageContaining("gateway.models.mock-slow.timeouts.first_tokn_ms");
    fileFails(dir, "old.yaml", "gateway:\n  rate_limits: { concurrent_streams: 4 }\n")
        .hasMessageContaining("gateway.admission.stream.per_client");
    Path fine = dir.resolve("fine.yaml");
    Files.writeString(fine, "gateway:\n  models:\n    mock-slow: { timeouts: { first_token_ms: 5 }, fallbacks: [mock-fast] }\n");
    assertThat(ConfigLoader.load(Map.of("AGENTLOOP_CONFIG", fine.toString())).getJsonObject("gateway")
        .getJsonObject("models").getJsonObject("mock-slow").getJsonObject("timeouts").getInteger("first_token_ms"))
        .isEqualTo(5);
  }

  @Test
  @DisplayName("a key missing from the merged tree is an error naming it, not a silent default")
  void missing_key_is_an_error() {
    JsonObject config = ConfigLoader.defaults();
    config.getJsonObject("gateway").getJsonObject("limits").remove("max_json_depth");
    assertThatThrownBy(() -> HttpLimits.from(Settings.root(config).section("gateway")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("gateway.limits.max_json_depth must be set");
  }

  /** Asserts that loading with this one environment variable fails with a {@link ConfigException}. */
  private static AbstractThrowableAssert<?, ? extends Throwable> loadFails(String variable, String value) {
    return assertThatThrownBy(() -> ConfigLoader.load(Map.of(variable, value))).isInstanceOf(ConfigException.class);
  }

  /** Asserts that loading this YAML, written to {@code name} in {@code dir}, fails with a {@link ConfigException}. */
  private static AbstractThrowableAssert<?, ? extends Throwable> fileFails(Path dir, String name, String yaml)
      throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, yaml);
    return loadFails("AGENTLOOP_CONFIG", file.toString());
  }
}
