package dev.agentloop.contract.node;

import dev.agentloop.contract.config.Settings;
import io.vertx.core.json.JsonObject;

/**
 * The {@code observability} section: how the blocked-thread checker and the event-loop lag probe
 * run, and whether the learners' blocking demo is switched on.
 */
public record ObservabilityConfig(long blockedThreadCheckIntervalMs, long maxEventLoopExecuteTimeMs,
    long lagProbeIntervalMs, int blockedTracesKept, boolean demoEnabled, int demoMaxMs) {

  public static ObservabilityConfig from(JsonObject root) {
    Settings section = Settings.root(root).section("observability");
    return new ObservabilityConfig(
        section.integer("blocked_thread_check_interval_ms", 1_000, 10, 60_000),
        section.integer("max_event_loop_execute_time_ms", 2_000, 1, 600_000),
        section.integer("lag_probe_interval_ms", 100, 10, 10_000),
        section.integer("blocked_traces_kept", 10, 1, 1_000),
        section.bool("demo_enabled", false),
        section.integer("demo_max_ms", 10_000, 1, 120_000));
  }
}
