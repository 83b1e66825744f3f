package dev.agentloop.front.guards;

import dev.agentloop.contract.config.Settings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** One entry of {@code gateway.api_keys}: the key, and whether it may see every key's data. */
public record ApiKey(String key, boolean admin) {

  /**
   * {@code gateway.api_keys}: a list whose entries are keys ({@code "k1"}) or mappings
   * ({@code {key: k1, admin: true}}), or one comma-separated string.
   */
  static List<ApiKey> list(Settings gateway) {
    Object value = gateway.json().getValue("api_keys");
    List<ApiKey> keys = new ArrayList<>();
    if (value instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        Object entry = array.getValue(i);
        if (entry instanceof JsonObject mapping) {
          Settings item = new Settings(mapping, gateway.name("api_keys") + "[" + i + "]");
          keys.add(new ApiKey(checked(gateway, item.string("key", "")), item.bool("admin", false)));
        } else if (entry instanceof String || entry instanceof Number) {
          keys.add(new ApiKey(checked(gateway, String.valueOf(entry)), false));
        } else {
          throw gateway.error("api_keys", "must hold keys, or mappings {key: ..., admin: true}");
        }
      }
    } else {
      gateway.strings("api_keys", List.of()).forEach(key -> keys.add(new ApiKey(checked(gateway, key), false)));
    }
    return List.copyOf(keys);
  }

  static String checked(Settings gateway, String key) {
    String trimmed = key.trim();
    if (trimmed.isEmpty() || trimmed.chars().anyMatch(c -> c <= ' ' || c == 127)) {
      throw gateway.error("api_keys", "must hold non-empty keys without spaces or control characters");
    }
    return trimmed;
  }
}
