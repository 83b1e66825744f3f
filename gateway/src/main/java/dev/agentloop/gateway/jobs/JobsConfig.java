package dev.agentloop.gateway.jobs;

import dev.agentloop.contract.config.Settings;

/** {@code gateway.jobs} (and the slow-reader timeout of {@code gateway.limits}), parsed once and checked. */
public record JobsConfig(long retentionMs, long sweepIntervalMs, int sweepBatch, long pageMaxBytes, int watchersPerJob,
    int watchersTotal, long watcherBufferBytes, long slowReaderTimeoutMs) {

  /** Reads {@code jobs} (and {@code limits.slow_reader_timeout_ms}) of the {@code gateway} section. */
  public static JobsConfig from(Settings gateway) {
    Settings jobs = gateway.section("jobs");
    int day = 24 * 3600 * 1000;
    return new JobsConfig(
        (long) jobs.number("retention_ms", 1, 3.2e10),
        jobs.integer("sweep_interval_ms", 10, day),
        jobs.integer("sweep_batch", 1, 10_000),
        jobs.integer("page_max_bytes", 1024, 1 << 30),
        jobs.integer("watchers_per_job", 1, 100_000),
        jobs.integer("watchers_total", 1, 1_000_000),
        jobs.integer("watcher_buffer_bytes", 1024, 1 << 30),
        gateway.section("limits").integer("slow_reader_timeout_ms", 0, day));
  }

  /** How long a watcher's producer waits for its consumer's ack: past the slow-reader timeout, which ends it first. */
  long watcherAckTimeoutMs() {
    return slowReaderTimeoutMs > 0 ? slowReaderTimeoutMs + 10_000 : 24L * 3600 * 1000;
  }
}
