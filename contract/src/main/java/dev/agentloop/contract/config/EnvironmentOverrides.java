package dev.agentloop.contract.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The environment layer of the configuration: the documented short variables
 * ({@code AGENTLOOP_HTTP_PORT}, ...), then the generic rule
 * {@code AGENTLOOP_<SECTION>__<KEY>__<SUBKEY>=value}, which sets any key of the defaults
 * ({@code AGENTLOOP_GATEWAY__LIMITS__MAX_JSON_DEPTH=32} sets {@code gateway.limits.max_json_depth}),
 * typed like the key's default: a whole number, a number, true/false, a comma-separated list, or a
 * string. A generic variable that names no key of the defaults is an error naming it. An empty
 * variable is ignored.
 */
public final class EnvironmentOverrides {

  static final String PREFIX = "AGENTLOOP_";
  static final String SEPARATOR = "__";

  private record Short(String variable, String section, String key, Function<String, Object> parse) {
  }

  private static final List<Short> SHORT = List.of(
      new Short("AGENTLOOP_HTTP_PORT", "gateway", "port", v -> integer("AGENTLOOP_HTTP_PORT", v)),
      new Short("AGENTLOOP_LLM_HTTP_PORT", "llm", "http_port", v -> integer("AGENTLOOP_LLM_HTTP_PORT", v)),
      new Short("AGENTLOOP_LLM_HTTP_HOST", "llm", "http_host", String::trim),
      new Short("AGENTLOOP_SERVICES", null, "services", EnvironmentOverrides::list),
      new Short("AGENTLOOP_STORAGE", "storage", "backend", String::trim),
      new Short("AGENTLOOP_DATA_DIR", "storage", "data_dir", String::trim),
      new Short("AGENTLOOP_PG_URL", "storage.postgres", "url", String::trim),
      new Short("AGENTLOOP_API_KEYS", "gateway", "api_keys", EnvironmentOverrides::list),
      new Short("AGENTLOOP_ADMIN_KEY", "gateway", "admin_key", String::trim),
      new Short("AGENTLOOP_TRUSTED_PROXIES", "gateway", "trusted_proxies", EnvironmentOverrides::list),
      new Short("AGENTLOOP_DEMO", "observability", "demo_enabled", v -> bool("AGENTLOOP_DEMO", v)),
      new Short("AGENTLOOP_CLUSTER", "cluster", "enabled", v -> bool("AGENTLOOP_CLUSTER", v)),
      new Short("AGENTLOOP_CLUSTER_NAME", "cluster", "name", String::trim),
      new Short("AGENTLOOP_CLUSTER_HOST", "cluster", "host", String::trim),
      new Short("AGENTLOOP_CLUSTER_PORT", "cluster", "port", v -> integer("AGENTLOOP_CLUSTER_PORT", v)),
      new Short("AGENTLOOP_CLUSTER_MEMBERS", "cluster", "members", EnvironmentOverrides::list),
      new Short("AGENTLOOP_NODE_ID", "cluster", "node_id", String::trim),
      new Short("AGENTLOOP_CLUSTER_BUS_PORT", "cluster", "bus_port", v -> integer("AGENTLOOP_CLUSTER_BUS_PORT", v)),
      new Short("AGENTLOOP_SHUTDOWN_GRACE_MS", "shutdown", "grace_ms", v -> integer("AGENTLOOP_SHUTDOWN_GRACE_MS", v)),
      new Short("AGENTLOOP_SHUTDOWN_PRE_STOP_DELAY_MS", "shutdown", "pre_stop_delay_ms",
          v -> integer("AGENTLOOP_SHUTDOWN_PRE_STOP_DELAY_MS", v)));

  private EnvironmentOverrides() {
  }

  /** Applies the short variables, then the generic ones (sorted, so the result never depends on order). */
  static void apply(JsonObject config, JsonObject defaults, Map<String, String> env) {
    for (Short o : SHORT) {
      String raw = env.get(o.variable());
      if (raw != null && !raw.isBlank()) {
        sectionOf(config, o.section() == null ? List.of() : List.of(o.section().split("\\."))).put(o.key(),
            o.parse().apply(raw));
      }
    }
    env.keySet().stream().filter(name -> name.startsWith(PREFIX) && name.contains(SEPARATOR)).sorted()
        .forEach(name -> {
          String raw = env.get(name);
          if (raw != null && !raw.isBlank()) {
            generic(config, defaults, name, raw);
          }
        });
  }

  private static void generic(JsonObject config, JsonObject defaults, String variable, String raw) {
    List<String> path = List.of(variable.substring(PREFIX.length()).toLowerCase(Locale.ROOT).split(SEPARATOR, -1));
    String key = String.join(".", path);
    JsonObject template = defaults;
    for (int i = 0; i < path.size() - 1; i++) {
      if (!(template.getValue(path.get(i)) instanceof JsonObject next)) {
        throw unknown(variable, key);
      }
      template = next;
    }
    String last = path.get(path.size() - 1);
    if (!template.containsKey(last)) {
      throw unknown(variable, key);
    }
    Object type = template.getValue(last);
    Object value = switch (type) {
      case JsonObject ignored -> throw new ConfigException(variable + ": " + key
          + " is a section; set one of its keys (" + key.toUpperCase(Locale.ROOT).replace(".", SEPARATOR) + SEPARATOR
          + "<KEY>)");
      case Integer ignored -> integer(variable, raw);
      case Long ignored -> integer(variable, raw);
      case Number ignored -> number(variable, raw);
      case Boolean ignored -> bool(variable, raw);
      case JsonArray ignored -> list(raw);
      case null, default -> raw.trim();
    };
    sectionOf(config, path.subList(0, path.size() - 1)).put(last, value);
  }

  private static ConfigException unknown(String variable, String key) {
    return new ConfigException(variable + ": there is no setting " + key
        + " (AGENTLOOP_<SECTION>__<KEY> must name a key of the defaults)");
  }

  private static JsonObject sectionOf(JsonObject config, List<String> path) {
    JsonObject section = config;
    for (String part : path) {
      JsonObject next = section.getValue(part) instanceof JsonObject found ? found : null;
      if (next == null) {
        next = new JsonObject();
        section.put(part, next);
      }
      section = next;
    }
    return section;
  }

  private static Object integer(String name, String value) {
    try {
      long n = Long.parseLong(value.trim());
      return n == (int) n ? (Object) (int) n : (Object) n;
    } catch (NumberFormatException e) {
      throw new ConfigException(name + " must be a whole number, got '" + value + "'");
    }
  }

  private static Object number(String name, String value) {
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(name + " must be a number, got '" + value + "'");
    }
  }

  private static Object bool(String name, String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> throw new ConfigException(name + " must be true or false, got '" + value + "'");
    };
  }

  private static Object list(String value) {
    return new JsonArray(Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
  }
}
