package dev.agentloop.gateway;

import dev.agentloop.common.ApiException;
import dev.agentloop.common.config.Settings;
import dev.agentloop.common.openai.HttpErrors;
import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Who may use /metrics, /dashboard and /admin/*. With an admin key configured ({@code gateway.admin_key}
 * or {@code AGENTLOOP_ADMIN_KEY}) a request needs {@code Authorization: Bearer <key>}; the browser
 * variant also takes {@code ?key=} (then remembered in a cookie) so the dashboard opens in a browser.
 * Without a key, only clients on loopback get in. Refusals are 401/403 in OpenAI's error shape.
 */
final class AdminAccess implements Handler<RoutingContext> {

  static final String COOKIE = "agentloop_admin";

  private final byte[] key;
  private final boolean browser;

  private AdminAccess(byte[] key, boolean browser) {
    this.key = key;
    this.browser = browser;
  }

  static AdminAccess from(JsonObject root) {
    String key = Settings.root(root).section("gateway").string("admin_key", null);
    return new AdminAccess(key == null || key.isBlank() ? null : key.trim().getBytes(StandardCharsets.UTF_8), false);
  }

  /** The same rule, also accepting the key as a query parameter or cookie (for pages and their feeds). */
  AdminAccess forBrowser() {
    return new AdminAccess(key, true);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (key == null) {
      if (isLoopback(ctx.request().remoteAddress())) {
        ctx.next();
      } else {
        HttpErrors.send(ctx.response(), new ApiException(403, "invalid_request_error", "forbidden", null,
            "Admin routes answer only local clients while no admin key is configured (set AGENTLOOP_ADMIN_KEY)."));
      }
      return;
    }
    String bearer = ctx.request().getHeader("authorization");
    if (bearer != null && bearer.regionMatches(true, 0, "Bearer ", 0, 7) && matches(bearer.substring(7).trim())) {
      ctx.next();
      return;
    }
    if (browser) {
      String query = ctx.request().getParam("key");
      if (matches(query)) {
        ctx.response().addCookie(Cookie.cookie(COOKIE, query).setPath("/").setHttpOnly(true)
            .setSameSite(CookieSameSite.STRICT));
        ctx.next();
        return;
      }
      Cookie cookie = ctx.request().getCookie(COOKIE);
      if (cookie != null && matches(cookie.getValue())) {
        ctx.next();
        return;
      }
    }
    HttpErrors.send(ctx.response(), new ApiException(401, "invalid_request_error", "invalid_api_key", null,
        "This admin route needs the admin key: send Authorization: Bearer <key>."));
  }

  private boolean matches(String candidate) {
    return candidate != null && MessageDigest.isEqual(key, candidate.getBytes(StandardCharsets.UTF_8));
  }

  static boolean isLoopback(SocketAddress remote) {
    if (remote == null || remote.hostAddress() == null) {
      return false;
    }
    String host = remote.hostAddress();
    if (!host.matches("[0-9a-fA-F:.%]+")) {
      return false; // not an IP literal (e.g. a domain socket): never resolve names here
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
