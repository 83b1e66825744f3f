package dev.agentloop.front.guards;

import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Where a request comes from, as the guards see it: {@code ip} is the peer's address, or behind a
 * trusted proxy the client's from {@code X-Forwarded-For} ({@code unknown} when that hop is not an
 * IP); {@code loopback} holds only for a peer on loopback that is not a trusted proxy.
 */
public record ClientAddress(String ip, boolean viaProxy, boolean loopback) {

  private static final String KEY = "agentloop.client-address";

  /** The request's client address, resolved once per request. */
  public static ClientAddress of(RoutingContext ctx, TrustedProxies proxies) {
    ClientAddress known = ctx.get(KEY);
    if (known == null) {
      known = proxies.resolve(ctx.request().remoteAddress(),
          proxies.isEmpty() ? List.of() : ctx.request().headers().getAll("x-forwarded-for"));
      ctx.put(KEY, known);
    }
    return known;
  }
}
