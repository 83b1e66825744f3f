package dev.agentloop.front.guards;

import dev.agentloop.contract.storage.Owners;
import io.vertx.ext.web.RoutingContext;
import java.util.HexFormat;

/**
 * Whose data a request creates and may touch, as {@link ApiKeyAuth} decided: {@code id} is recorded
 * on what it creates (and owns its idempotency keys); {@code all} lets it touch every owner's data
 * (an admin key, or no keys configured at all, when nothing is separated).
 */
public record Owner(String id, boolean all) {

  /** The routing-context key under which the key check stores the owner. */
  public static final String KEY = "agentloop.owner";
  /** Without keys: everything is anonymous and visible to every client, as before owners existed. */
  public static final Owner OPEN = new Owner(Owners.ANONYMOUS, true);

  /** What a storage request says in {@code owner}: this id, or {@code "*"}. */
  public String scope() {
    return all ? Owners.ALL : id;
  }

  /** The request's owner; {@link #OPEN} on a route the key check does not guard. */
  public static Owner of(RoutingContext ctx) {
    Owner owner = ctx.get(KEY);
    return owner == null ? OPEN : owner;
  }

  /** The stable id of an API key: {@code key_} and the first 16 hex digits of its SHA-256. */
  public static String idOf(byte[] keyDigest) {
    return "key_" + HexFormat.of().formatHex(keyDigest, 0, 8);
  }
}
