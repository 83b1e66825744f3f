package dev.agentloop.contract.storage;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * About how many bytes a JSON value takes once encoded: the length of its strings plus a little for
 * every key, number and bracket. It walks the value once and encodes nothing, so it is cheap enough
 * to bound pages and buffers by size on an event loop.
 */
public final class JsonSize {

  private static final int PER_VALUE = 8;

  private JsonSize() {
  }

  public static long estimate(Object value) {
    if (value instanceof String text) {
      return text.length() + 2L;
    }
    if (value instanceof JsonObject object) {
      long size = 2;
      for (Map.Entry<String, Object> entry : object) {
        size += entry.getKey().length() + 4L + estimate(entry.getValue());
      }
      return size;
    }
    if (value instanceof JsonArray array) {
      long size = 2;
      for (Object item : array) {
        size += 1 + estimate(item);
      }
      return size;
    }
    return PER_VALUE;
  }
}
