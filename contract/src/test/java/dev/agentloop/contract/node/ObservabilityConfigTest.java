package dev.agentloop.contract.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentloop.contract.config.ConfigException;
import dev.agentloop.contract.config.ConfigLoader;
import dev.agentloop.contract.config.Settings;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The observability section and its environment overrides")
class ObservabilityConfigTest {

  @Test
  @DisplayName("defaults: Vert.x's checker thresholds, a 100 ms probe, no demo, no admin key")
  void defaults() {
    JsonObject config = ConfigLoader.load(Map.of());
    ObservabilityConfig observability = ObservabilityConfig.from(Settings.root(config).section("observability"));
    assertThat(observability).isEqualTo(new ObservabilityConfig(1_000, 2_000, 100, 10, false, 10_000));
    assertThat(config.getJsonObject("gateway").getValue("admin_key")).isNull();
  }

  @Test
  @DisplayName("AGENTLOOP_ADMIN_KEY and AGENTLOOP_DEMO override the file")
  void environment_overrides() {
    JsonObject config = ConfigLoader.load(Map.of("AGENTLOOP_ADMIN_KEY", " k3y ", "AGENTLOOP_DEMO", "yes"));
    assertThat(config.getJsonObject("gateway").getString("admin_key")).isEqualTo("k3y");
    assertThat(ObservabilityConfig.from(Settings.root(config).section("observability")).demoEnabled()).isTrue();
  }

  @Test
  @DisplayName("a bad value fails with the key's full name")
  void bad_values_name_their_key() {
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("AGENTLOOP_DEMO", "maybe")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("AGENTLOOP_DEMO");
    JsonObject config = ConfigLoader.defaults();
    config.getJsonObject("observability").put("max_event_loop_execute_time_ms", 0);
    assertThatThrownBy(() -> ObservabilityConfig.from(Settings.root(config).section("observability"))).isInstanceOf(ConfigException.class)
        .hasMessage("observability.max_event_loop_execute_time_ms must be between 1 and 600000, got 0");
  }
}
