package dev.agentloop.contract.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed, checked reads from one section of the configuration. Every bad value becomes a
 * {@link ConfigException} naming the full key, so a start-up failure is one readable line.
 *
 * <p>The configuration read is the defaults YAML with the user's layers merged over it, so every
 * key has a value: the reads without a fallback treat a missing key as an error naming it. The
 * reads with a fallback are for values inherited from another key (a model's own timeouts over
 * the gateway's), never for defaults written in Java.
 */
public final class Settings {

  private final JsonObject json;
  private final String path;

  public Settings(JsonObject json, String path) {
    this.json = json == null ? new JsonObject() : json;
    this.path = path;
  }

  public static Settings root(JsonObject json) {
    return new Settings(json, "");
  }

  public JsonObject json() {
    return json;
  }

  public Settings section(String key) {
    Object value = json.getValue(key);
    if (value != null && !(value instanceof JsonObject)) {
      throw new ConfigException(name(key) + " must be a mapping");
    }
    return new Settings((JsonObject) value, name(key));
  }

  public boolean has(String key) {
    return json.getValue(key) != null;
  }

  public int integer(String key, int min, int max) {
    required(key);
    return integer(key, 0, min, max);
  }

  public double number(String key, double min, double max) {
    required(key);
    return number(key, 0, min, max);
  }

  public boolean bool(String key) {
    required(key);
    return bool(key, false);
  }

  public String string(String key) {
    required(key);
    return string(key, null);
  }

  /** A key that is present (in the defaults) but may be null: unset. */
  public String optionalString(String key) {
    if (!json.containsKey(key)) {
      throw missing(key);
    }
    return string(key, null);
  }

  public String oneOf(String key, List<String> allowed) {
    required(key);
    return oneOf(key, null, allowed);
  }

  public List<String> strings(String key) {
    required(key);
    return strings(key, List.of());
  }

  private Object required(String key) {
    Object value = json.getValue(key);
    if (value == null) {
      throw missing(key);
    }
    return value;
  }

  private ConfigException missing(String key) {
    return new ConfigException(name(key) + " must be set (the defaults name every key; is it set to null?)");
  }

  public int integer(String key, int fallback, int min, int max) {
    Object value = json.getValue(key);
    if (value == null) {
      return fallback;
    }
    long n;
    if (value instanceof Number number && number.doubleValue() == Math.rint(number.doubleValue())) {
      n = number.longValue();
    } else if (value instanceof String text && text.trim().matches("-?\\d+")) {
      n = Long.parseLong(text.trim());
    } else {
      throw new ConfigException(name(key) + " must be a whole number, got '" + value + "'");
    }
    if (n < min || n > max) {
      throw new ConfigException(name(key) + " must be between " + min + " and " + max + ", got " + n);
    }
    return (int) n;
  }

  public double number(String key, double fallback, double min, double max) {
    Object value = json.getValue(key);
    if (value == null) {
      return fallback;
    }
    double n;
    if (value instanceof Number number) {
      n = number.doubleValue();
    } else {
      try {
        n = Double.parseDouble(String.valueOf(value).trim());
      } catch (NumberFormatException e) {
        throw new ConfigException(name(key) + " must be a number, got '" + value + "'");
      }
    }
    if (!(n >= min && n <= max)) {
      throw new ConfigException(name(key) + " must be between " + min + " and " + max + ", got " + value);
    }
    return n;
  }

  public boolean bool(String key, boolean fallback) {
    Object value = json.getValue(key);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    return switch (String.valueOf(value).trim().toLowerCase()) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0" -> false;
      default -> throw new ConfigException(name(key) + " must be true or false, got '" + value + "'");
    };
  }

  public String string(String key, String fallback) {
    Object value = json.getValue(key);
    if (value == null) {
      return fallback;
    }
    if (value instanceof JsonObject || value instanceof JsonArray) {
      throw new ConfigException(name(key) + " must be a plain value");
    }
    return String.valueOf(value);
  }

  public String oneOf(String key, String fallback, List<String> allowed) {
    String value = string(key, fallback);
    if (!allowed.contains(value)) {
      throw new ConfigException(name(key) + " must be one of " + allowed + ", got '" + value + "'");
    }
    return value;
  }

  public List<String> strings(String key, List<String> fallback) {
    Object value = json.getValue(key);
    if (value == null) {
      return fallback;
    }
    List<String> out = new ArrayList<>();
    if (value instanceof JsonArray array) {
      for (Object item : array) {
        if (item instanceof JsonObject || item instanceof JsonArray || item == null) {
          throw new ConfigException(name(key) + " must be a list of plain values");
        }
        out.add(String.valueOf(item).trim());
      }
    } else {
      for (String part : String.valueOf(value).split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return List.copyOf(out);
  }

  public List<Settings> list(String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      throw new ConfigException(name(key) + " must be a list");
    }
    List<Settings> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject item)) {
        throw new ConfigException(name(key) + "[" + i + "] must be a mapping");
      }
      out.add(new Settings(item, name(key) + "[" + i + "]"));
    }
    return out;
  }

  public String name(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  public ConfigException error(String key, String problem) {
    return new ConfigException(name(key) + " " + problem);
  }
}
