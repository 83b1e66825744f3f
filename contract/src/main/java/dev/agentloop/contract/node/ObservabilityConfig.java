package dev.agentloop.contract.node;

import dev.agentloop.contract.config.Settings;

/**
 * The {@code observability} section: how the blocked-thread checker and the event-loop lag probe
 * run, and whether the learners' blocking demo is switched on.
 */
public record ObservabilityConfig(long blockedThreadCheckIntervalMs, long maxEventLoopExecuteTimeMs,
    long lagProbeIntervalMs, int blockedTracesKept, boolean demoEnabled, int demoMaxMs) {

  /** Reads the {@code observability} section. */
  public static ObservabilityConfig from(Settings section) {
    return new ObservabilityConfig(
        section.integer("blocked_thread_check_interval_ms", 10, 60_000),
        section.integer("max_event_loop_execute_time_ms", 1, 600_000),
        section.integer("lag_probe_interval_ms", 10, 10_000),
        section.integer("blocked_traces_kept", 1, 1_000),
        section.bool("demo_enabled"),
        section.integer("demo_max_ms", 1, 120_000));
  }
}
