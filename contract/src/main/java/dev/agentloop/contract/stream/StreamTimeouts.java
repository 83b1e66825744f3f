package dev.agentloop.contract.stream;

import dev.agentloop.contract.config.Settings;

/**
 * How long a consumer waits: for the first token, between two tokens, and for the whole answer.
 */
public record StreamTimeouts(long firstTokenMs, long stallMs, long totalMs) {

  public static final StreamTimeouts DEFAULT = new StreamTimeouts(10_000, 5_000, 120_000);

  public static StreamTimeouts from(Settings section, StreamTimeouts fallback) {
    int max = 24 * 3600 * 1000;
    return new StreamTimeouts(
        section.integer("first_token_ms", (int) fallback.firstTokenMs(), 1, max),
        section.integer("stall_ms", (int) fallback.stallMs(), 1, max),
        section.integer("total_ms", (int) fallback.totalMs(), 1, max));
  }
}
