package dev.agentloop.contract.stream;

import dev.agentloop.contract.config.Settings;

/**
 * How long a consumer waits: for the first token, between two tokens, and for the whole answer.
 */
public record StreamTimeouts(long firstTokenMs, long stallMs, long totalMs) {

  private static final int MAX = 24 * 3600 * 1000;

  /** Reads {@code first_token_ms}, {@code stall_ms} and {@code total_ms} of {@code section}. */
  public static StreamTimeouts from(Settings section) {
    return new StreamTimeouts(section.integer("first_token_ms", 1, MAX), section.integer("stall_ms", 1, MAX),
        section.integer("total_ms", 1, MAX));
  }

  /** The keys {@code section} sets, the others inherited from {@code fallback} (a model's over the gateway's). */
  public static StreamTimeouts from(Settings section, StreamTimeouts fallback) {
    int max = 24 * 3600 * 1000;
    return new StreamTimeouts(
        section.integer("first_token_ms", (int) fallback.firstTokenMs(), 1, max),
        section.integer("stall_ms", (int) fallback.stallMs(), 1, max),
        section.integer("total_ms", (int) fallback.totalMs(), 1, max));
  }
}
