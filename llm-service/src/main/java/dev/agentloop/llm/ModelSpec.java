package dev.agentloop.llm;

import dev.agentloop.contract.config.Settings;

/**
 * One mock model: when its first token comes, the gap between tokens, how many tokens it writes
 * when {@code max_tokens} is not given, how often it fails, and whether it echoes.
 */
public record ModelSpec(String id, long firstTokenMs, long perTokenMs, int tokens, double failureRate, boolean echo) {

  public static ModelSpec from(Settings s) {
    String id = s.string("id", null);
    if (id == null || id.isBlank()) {
      throw s.error("id", "is required");
    }
    boolean echo = s.bool("echo", false);
    return new ModelSpec(id,
        s.integer("first_token_ms", 0, 0, 600_000),
        s.integer("per_token_ms", 0, 0, 600_000),
        s.integer("tokens", echo ? 0 : 16, 0, 1_000_000),
        s.number("failure_rate", 0, 0, 1),
        echo);
  }
}
