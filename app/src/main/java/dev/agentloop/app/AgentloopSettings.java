package dev.agentloop.app;

import dev.agentloop.contract.config.AgentloopConfig;
import dev.agentloop.contract.config.ConfigLoader;
import dev.agentloop.contract.config.KnownKeys;
import dev.agentloop.contract.config.Settings;
import dev.agentloop.contract.node.ObservabilityConfig;
import dev.agentloop.front.FrontSettings;
import dev.agentloop.gateway.settings.GatewaySettings;
import dev.agentloop.llm.LlmConfig;
import dev.agentloop.storage.StorageConfig;
import io.vertx.core.json.JsonObject;

/**
 * The whole configuration read once, into one record per service section and the process-wide
 * ones: every key checked (a key the defaults do not have is an error naming it), every value
 * checked, before any Vert.x node exists. The verticles are built from these records; none reads
 * {@code config()}.
 */
public record AgentloopSettings(AgentloopConfig process, ObservabilityConfig observability, FrontSettings front,
    GatewaySettings gateway, LlmConfig llm, StorageConfig storage) {

  /** {@code tree} is the merged configuration ({@link ConfigLoader#load}, or the defaults with overrides merged). */
  public static AgentloopSettings from(JsonObject tree) {
    ConfigLoader.rejectRetiredKeys(tree);
    KnownKeys.check(ConfigLoader.defaults(), tree, "");
    Settings root = Settings.root(tree);
    AgentloopConfig process = AgentloopConfig.from(root);
    ObservabilityConfig observability = ObservabilityConfig.from(root.section("observability"));
    Settings gatewaySection = root.section("gateway");
    FrontSettings front = FrontSettings.from(gatewaySection);
    StorageConfig storage = StorageConfig.from(root.section("storage"));
    GatewaySettings gateway = GatewaySettings.from(gatewaySection, front, process, observability, storage.dataDir());
    return new AgentloopSettings(process, observability, front, gateway, LlmConfig.from(root.section("llm")), storage);
  }
}
