package dev.agentloop.front.guards;

import dev.agentloop.contract.ApiException;
import dev.agentloop.front.ClientId;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Bearer-key authentication for /v1/*. Keys are kept only as SHA-256 digests and compared in
 * constant time; a key is never logged, echoed or used as a metric label. Every request leaves
 * with a client identity for the rate limits ({@code key-N}, the N-th configured key, or
 * {@code key-admin}; without keys the client's address, {@link ClientAddress}) and an {@link Owner}:
 * the key's id ({@code key_} and 16 hex digits of its digest, stable however the list is ordered),
 * seeing every key's data when the key is marked {@code admin} or is the admin key. Without keys the
 * owner is {@link Owner#OPEN}: nothing is separated.
 */
public final class ApiKeyAuth implements Handler<RoutingContext> {

  public static final String CLIENT = ClientId.KEY;

  private record Entry(byte[] digest, String client, Owner owner) {
  }

  private final List<Entry> entries = new ArrayList<>();
  private final Counter failures;
  private final TrustedProxies proxies;

  /** {@code adminKey} (may be null) is accepted too once keys are configured, as a key that sees all. */
  public ApiKeyAuth(List<ApiKey> keys, String adminKey, Counter failures, TrustedProxies proxies) {
    for (int i = 0; i < keys.size(); i++) {
      byte[] digest = sha256(keys.get(i).key());
      entries.add(new Entry(digest, "key-" + (i + 1), new Owner(Owner.idOf(digest), keys.get(i).admin())));
    }
    if (adminKey != null && !keys.isEmpty()) {
      byte[] digest = sha256(adminKey);
      entries.add(new Entry(digest, "key-admin", new Owner(Owner.idOf(digest), true)));
    }
    this.failures = failures;
    this.proxies = proxies;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (entries.isEmpty()) {
      ctx.put(CLIENT, "ip:" + ClientAddress.of(ctx, proxies).ip());
      ctx.put(Owner.KEY, Owner.OPEN);
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
    Entry match = null;
    for (Entry entry : entries) { // every digest is compared, so the time says nothing about which matched
      if (MessageDigest.isEqual(entry.digest(), presented) && match == null) {
        match = entry;
      }
    }
    if (match == null) {
      reject(ctx, "Incorrect API key provided.");
      return;
    }
    ctx.put(CLIENT, match.client());
    ctx.put(Owner.KEY, match.owner());
    ctx.next();
  }

  private void reject(RoutingContext ctx, String message) {
    failures.increment();
    ctx.fail(new ApiException(401, "invalid_request_error", "invalid_api_key", null, message));
  }

  static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
