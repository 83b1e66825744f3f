package dev.agentloop.front.guards;

import dev.agentloop.contract.ApiException;
import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Who may use the admin routes ({@code /metrics}, {@code /dashboard}, {@code /admin/*}) of a front.
 * <ul>
 * <li>With an admin key ({@code gateway.admin_key}, {@code AGENTLOOP_ADMIN_KEY}): a request needs
 * {@code Authorization: Bearer <key>}. Only the dashboard login ({@link #login()}, {@code GET
 * /dashboard?key=}) takes the key in the query; it answers with a cookie ({@code HttpOnly;
 * SameSite=Strict}, and {@code Secure} when TLS terminates upstream) that {@link #withCookie()}
 * routes (the page and its feed) accept instead of the header.</li>
 * <li>Without an admin key: only a peer on loopback gets in, and never one that is a trusted proxy,
 * since a request through a proxy on the same host would otherwise pass for a local one.</li>
 * </ul>
 * Refusals are 401/403 in OpenAI's error shape.
 */
public final class AdminAccess implements Handler<RoutingContext> {

  public static final String COOKIE = "agentloop_admin";

  private enum Mode { HEADER, COOKIE, LOGIN }

  private final byte[] key;
  private final Mode mode;
  private final TrustedProxies proxies;
  private final boolean secureCookie;

  private AdminAccess(byte[] key, Mode mode, TrustedProxies proxies, boolean secureCookie) {
    this.key = key;
    this.mode = mode;
    this.proxies = proxies;
    this.secureCookie = secureCookie;
  }

  /** The rule for API-style admin routes: the bearer key (or, without a key, a local peer). */
  public static AdminAccess from(GuardsConfig config) {
    byte[] key = config.adminKey() == null ? null : config.adminKey().getBytes(StandardCharsets.UTF_8);
    return new AdminAccess(key, Mode.HEADER, config.trustedProxies(), config.tlsTerminatedUpstream());
  }

  /** The same rule, also accepting the login cookie (the dashboard page and its feed). */
  public AdminAccess withCookie() {
    return new AdminAccess(key, Mode.COOKIE, proxies, secureCookie);
  }

  /** The dashboard login: the cookie rule, plus {@code ?key=}, which sets the cookie. */
  public AdminAccess login() {
    return new AdminAccess(key, Mode.LOGIN, proxies, secureCookie);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (key == null) {
      if (ClientAddress.of(ctx, proxies).loopback()) {
        ctx.next();
      } else {
        ctx.fail(new ApiException(403, "invalid_request_error", "forbidden", null,
            "Admin routes answer only clients on this machine, never through a proxy, while no admin key is "
                + "configured (set AGENTLOOP_ADMIN_KEY)."));
      }
      return;
    }
    String bearer = ctx.request().getHeader("authorization");
    if (bearer != null && bearer.regionMatches(true, 0, "Bearer ", 0, 7) && matches(bearer.substring(7).trim())) {
      ctx.next();
      return;
    }
    if (mode == Mode.LOGIN) {
      String query = ctx.request().getParam("key");
      if (matches(query)) {
        ctx.response().addCookie(Cookie.cookie(COOKIE, query).setPath("/").setHttpOnly(true)
            .setSameSite(CookieSameSite.STRICT).setSecure(secureCookie));
        ctx.next();
        return;
      }
    }
    if (mode != Mode.HEADER) {
      Cookie cookie = ctx.request().getCookie(COOKIE);
      if (cookie != null && matches(cookie.getValue())) {
        ctx.next();
        return;
      }
    }
    ctx.fail(new ApiException(401, "invalid_request_error", "invalid_api_key", null,
        "This admin route needs the admin key: send Authorization: Bearer <key>."));
  }

  private boolean matches(String candidate) {
    return candidate != null && MessageDigest.isEqual(key, candidate.getBytes(StandardCharsets.UTF_8));
  }
}
