package dev.agentloop.gateway.idempotency;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What makes two requests "the same request" for an idempotency key: the SHA-256 (hex) of the route
 * and the canonical JSON of the body: object keys sorted, no whitespace, a number written the same
 * however it was spelled ({@code 1}, {@code 1.0}, {@code 1e0}). One pass over a body the request
 * limits already bound (size, depth).
 */
public final class RequestHash {

  private RequestHash() {
  }

  /** The hash of {@code body} sent to {@code route} (e.g. {@code "POST /v1/conversations"}). */
  public static String of(String route, JsonObject body) {
    MessageDigest digest = sha256();
    digest.update(route.getBytes(StandardCharsets.UTF_8));
    digest.update((byte) 0);
    write(digest, body);
    return HexFormat.of().formatHex(digest.digest());
  }

  private static void write(MessageDigest digest, Object value) {
    if (value instanceof JsonObject object) {
      List<String> keys = new ArrayList<>(object.fieldNames());
      keys.sort(null);
      digest.update((byte) '{');
      for (int i = 0; i < keys.size(); i++) {
        if (i > 0) {
          digest.update((byte) ',');
        }
        text(digest, Json.encode(keys.get(i)));
        digest.update((byte) ':');
        write(digest, object.getValue(keys.get(i)));
      }
      digest.update((byte) '}');
    } else if (value instanceof JsonArray array) {
      digest.update((byte) '[');
      for (int i = 0; i < array.size(); i++) {
        if (i > 0) {
          digest.update((byte) ',');
        }
        write(digest, array.getValue(i));
      }
      digest.update((byte) ']');
    } else if (value instanceof Number number) {
      text(digest, number(number));
    } else {
      text(digest, Json.encode(value)); // strings, booleans, null
    }
  }

  private static String number(Number number) {
    try {
      BigDecimal exact = number instanceof BigDecimal big ? big : new BigDecimal(number.toString());
      return exact.signum() == 0 ? "0" : exact.stripTrailingZeros().toPlainString();
    } catch (NumberFormatException notFinite) {
      return number.toString();
    }
  }

  private static void text(MessageDigest digest, String text) {
    digest.update(text.getBytes(StandardCharsets.UTF_8));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
