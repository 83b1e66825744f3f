package dev.agentloop.contract.storage;

import dev.agentloop.contract.ApiException;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Conversation ids: {@code conv_} then 1 to 64 ASCII letters or digits. Every entry point checks
 * this pattern, so an id can never name a path outside the data directory.
 */
public final class ConversationIds {

  public static final Pattern PATTERN = Pattern.compile("conv_[A-Za-z0-9]{1,64}");

  private ConversationIds() {
  }

  public static String newId() {
    UUID uuid = UUID.randomUUID();
    return "conv_" + Long.toHexString(uuid.getMostSignificantBits() & Long.MAX_VALUE)
        + Long.toHexString(uuid.getLeastSignificantBits() & Long.MAX_VALUE);
  }

  public static boolean valid(Object id) {
    return id instanceof String s && PATTERN.matcher(s).matches();
  }

  /** The id, or a 400 naming {@code param}. */
  public static String require(Object id, String param) {
    if (!valid(id)) {
      throw ApiException.badRequest("Invalid '" + param + "': expected an id like 'conv_abc123' (conv_ followed by "
          + "1 to 64 letters or digits).", param, "invalid_value");
    }
    return (String) id;
  }

  public static ApiException notFound(String id) {
    return ApiException.notFound("No conversation found with id '" + id + "'.");
  }
}
