package dev.agentloop.front;

import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

/**
 * Who a request comes from, for per-client limits: what the API-key check put on the routing
 * context ({@code key-N}), or the remote address when no key names the client. Never a key itself.
 */
public final class ClientId {

  /** The routing-context key under which the key check stores the client. */
  public static final String KEY = "agentloop.client";

  private ClientId() {
  }

  public static String of(RoutingContext ctx) {
    String client = ctx.get(KEY);
    if (client != null) {
      return client;
    }
    SocketAddress remote = ctx.request().remoteAddress();
    return "ip:" + (remote == null ? "unknown" : remote.hostAddress());
  }
}
