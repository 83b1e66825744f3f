package dev.agentloop.contract.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
    AgentloopConfig process = AgentloopConfig.from(config);
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
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("AGENTLOOP_HTTP_PORT", "http")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("AGENTLOOP_HTTP_PORT").hasMessageContaining("http");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("AGENTLOOP_CLUSTER", "maybe")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("AGENTLOOP_CLUSTER");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("AGENTLOOP_SERVICES", "gateway,billing")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("services").hasMessageContaining("billing");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("AGENTLOOP_CONFIG", "/no/such/file.yaml")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("/no/such/file.yaml");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("AGENTLOOP_SHUTDOWN_GRACE_MS", "-5")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("shutdown.grace_ms");
  }

  @Test
  @DisplayName("a retired gateway.retry key in the file is a start-up error naming the key that replaced it")
  void retired_retry_keys_name_their_replacement(@TempDir Path dir) throws Exception {
    Path attempts = dir.resolve("attempts.yaml");
    Files.writeString(attempts, "gateway:\n  retry:\n    max_attempts: 2\n");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("AGENTLOOP_CONFIG", attempts.toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("gateway.retry.max_attempts is no longer supported: use gateway.resilience.retries.max_attempts");
    Path backoff = dir.resolve("backoff.yaml");
    Files.writeString(backoff, "gateway:\n  retry: { backoff_ms: 10 }\n");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("AGENTLOOP_CONFIG", backoff.toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("gateway.retry.backoff_ms is no longer supported: use gateway.resilience.retries.base_delay_ms");
    Path empty = dir.resolve("empty.yaml");
    Files.writeString(empty, "gateway:\n  retry: {}\n");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("AGENTLOOP_CONFIG", empty.toString())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("use gateway.resilience.retries");
    assertThat(ConfigLoader.defaults().getJsonObject("gateway").containsKey("retry"))
        .as("the defaults no longer carry the old section").isFalse();
  }

  @Test
  @DisplayName("invalid YAML is reported in one line with the file name")
  void invalid_yaml(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("broken.yaml");
    Files.writeString(file, "gateway: [unclosed\n  port: 1");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("AGENTLOOP_CONFIG", file.toString())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("broken.yaml")
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
}
