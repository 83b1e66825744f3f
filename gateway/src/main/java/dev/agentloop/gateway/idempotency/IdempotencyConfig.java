package dev.agentloop.gateway.idempotency;

import dev.agentloop.contract.config.Settings;

/**
 * {@code gateway.idempotency}: how long a completed key answers its first response
 * ({@code ttl_ms}), and how long a reservation holds while its request runs ({@code lock_ms}), so
 * the key of a request that crashed becomes usable again.
 */
public record IdempotencyConfig(long ttlMs, long lockMs) {

  /** Reads {@code idempotency} of the {@code gateway} section. */
  public static IdempotencyConfig from(Settings gateway) {
    Settings idempotency = gateway.section("idempotency");
    return new IdempotencyConfig(idempotency.integer("ttl_ms", 1_000, Integer.MAX_VALUE),
        idempotency.integer("lock_ms", 100, 86_400_000));
  }
}
