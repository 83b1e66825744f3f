package dev.agentloop.common.guards;

import dev.agentloop.common.ApiException;
import dev.agentloop.common.openai.ClientId;
import dev.agentloop.common.openai.HttpErrors;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Bearer-key authentication for /v1/*. Keys are kept only as SHA-256 digests and compared in
 * constant time; a key is never logged, echoed or used as a metric label. Every request leaves
 * with a client identity for the rate limits: {@code key-N} (the N-th configured key), or the
 * client's address ({@link ClientAddress}) when no keys are configured.
 */
public final class ApiKeyAuth implements Handler<RoutingContext> {

  public static final String CLIENT = ClientId.KEY;

  private final byte[][] digests;
  private final Counter failures;
  private final TrustedProxies proxies;

  public ApiKeyAuth(List<String> keys, Counter failures, TrustedProxies proxies) {
    this.digests = keys.stream().map(ApiKeyAuth::sha256).toArray(byte[][]::new);
    this.failures = failures;
    this.proxies = proxies;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (digests.length == 0) {
      ctx.put(CLIENT, "ip:" + ClientAddress.of(ctx, proxies).ip());
      ctx.next();
      return;
    }
    String header = ctx.request().getHeader("authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() == 7) {
      reject(ctx, "You didn't provide an API key. You need to provide your API key in an Authorization header "
          + "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
      return;
    }
    byte[] presented = sha256(header.substring(7).trim());
    int match = -1;
    for (int i = 0; i < digests.length; i++) {
      if (MessageDigest.isEqual(digests[i], presented) && match < 0) {
        match = i;
      }
    }
    if (match < 0) {
      reject(ctx, "Incorrect API key provided.");
      return;
    }
    ctx.put(CLIENT, "key-" + (match + 1));
    ctx.next();
  }

  private void reject(RoutingContext ctx, String message) {
    failures.increment();
    ctx.response().putHeader("www-authenticate", "Bearer");
    HttpErrors.send(ctx.response(), new ApiException(401, "invalid_request_error", "invalid_api_key", null, message));
  }

  static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
