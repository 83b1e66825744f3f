package dev.agentloop.front;

import dev.agentloop.contract.config.HttpLimits;
import dev.agentloop.contract.config.Settings;
import dev.agentloop.contract.stream.StreamTimeouts;
import dev.agentloop.front.guards.Admission;
import dev.agentloop.front.guards.GuardsConfig;

/**
 * What every HTTP front of a node enforces alike, the gateway and the mock's own port: the limits,
 * the guards, the admission caps, and the timeouts towards the model. Read once from the
 * {@code gateway} section, where the defaults keep them.
 */
public record FrontSettings(HttpLimits limits, GuardsConfig guards, Admission.Config admission,
    StreamTimeouts timeouts) {

  public static FrontSettings from(Settings gateway) {
    return new FrontSettings(HttpLimits.from(gateway), GuardsConfig.from(gateway), Admission.Config.from(gateway),
        StreamTimeouts.from(gateway.section("timeouts")));
  }
}
