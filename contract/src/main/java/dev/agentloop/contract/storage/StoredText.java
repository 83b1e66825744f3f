package dev.agentloop.contract.storage;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/** What text every storage backend can hold: anything but U+0000, which PostgreSQL refuses. */
public final class StoredText {

  private StoredText() {
  }

  /** Whether any string (key or value) anywhere inside {@code value} contains U+0000. */
  public static boolean hasNul(Object value) {
    if (value instanceof String s) {
      return s.indexOf('\0') >= 0;
    }
    if (value instanceof JsonObject object) {
      for (Map.Entry<String, Object> entry : object) {
        if (hasNul(entry.getKey()) || hasNul(entry.getValue())) {
          return true;
        }
      }
    }
    if (value instanceof JsonArray array) {
      for (Object item : array) {
        if (hasNul(item)) {
          return true;
        }
      }
    }
    return false;
  }
}
