package dev.agentloop.contract.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Builds the effective configuration: built-in defaults, then the YAML file named by
 * {@code AGENTLOOP_CONFIG}, then the {@code AGENTLOOP_*} environment variables. Runs once at start,
 * on the main thread, before any event loop exists.
 */
public final class ConfigLoader {

  public static final String DEFAULTS_RESOURCE = "agentloop-defaults.yaml";

  private ConfigLoader() {
  }

  public static JsonObject load(Map<String, String> env) {
    JsonObject config = defaults();
    String file = env.get("AGENTLOOP_CONFIG");
    if (file != null && !file.isBlank()) {
      merge(config, readFile(Path.of(file)));
    }
    applyEnvironment(config, env);
    AgentloopConfig.from(config); // fail fast on bad values
    return config;
  }

  public static JsonObject defaults() {
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULTS_RESOURCE + " is missing from the classpath");
      }
      return parseYaml(new String(in.readAllBytes(), StandardCharsets.UTF_8), DEFAULTS_RESOURCE);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + DEFAULTS_RESOURCE, e);
    }
  }

  static JsonObject readFile(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new ConfigException("AGENTLOOP_CONFIG: no such file: " + path);
    }
    try {
      return parseYaml(Files.readString(path, StandardCharsets.UTF_8), path.toString());
    } catch (IOException e) {
      throw new ConfigException("AGENTLOOP_CONFIG: cannot read " + path + ": " + e.getMessage());
    }
  }

  @SuppressWarnings("unchecked")
  public static JsonObject parseYaml(String text, String origin) {
    try {
      Object parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
      if (parsed == null) {
        return new JsonObject();
      }
      if (!(parsed instanceof Map)) {
        throw new ConfigException(origin + ": the top level must be a mapping");
      }
      return new JsonObject((Map<String, Object>) parsed).copy();
    } catch (YAMLException e) {
      String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("invalid YAML");
      throw new ConfigException(origin + ": invalid YAML: " + first);
    }
  }

  /** Keys that are no longer read, each with the key that replaced it. */
  private static final Map<String, String> RETIRED = Map.of(
      "gateway.retry.max_attempts", "gateway.resilience.retries.max_attempts",
      "gateway.retry.backoff_ms", "gateway.resilience.retries.base_delay_ms");
  private static final String RETIRED_SECTION = "gateway.retry";

  /**
   * Refuses a configuration that still sets a retired key (from the file or an environment
   * override), naming the key that replaced it: silently ignoring it would change behaviour unseen.
   */
  public static void rejectRetiredKeys(JsonObject config) {
    if (!(config.getValue("gateway") instanceof JsonObject gateway) || !gateway.containsKey("retry")) {
      return;
    }
    if (gateway.getValue("retry") instanceof JsonObject retry) {
      for (String key : retry.fieldNames().stream().sorted().toList()) {
        String replacement = RETIRED.get(RETIRED_SECTION + "." + key);
        if (replacement != null) {
          throw new ConfigException(RETIRED_SECTION + "." + key + " is no longer supported: use " + replacement
              + " (one section, gateway.resilience, configures every retry)");
        }
      }
    }
    throw new ConfigException(RETIRED_SECTION + " is no longer supported: use gateway.resilience.retries"
        + " (max_attempts, base_delay_ms, max_delay_ms, budget_ms)");
  }

  /** Deep merge: maps merge key by key, anything else (lists included) replaces. */
  public static JsonObject merge(JsonObject target, JsonObject overlay) {
    for (String key : overlay.fieldNames()) {
      Object value = overlay.getValue(key);
      Object existing = target.getValue(key);
      if (value instanceof JsonObject over && existing instanceof JsonObject base) {
        merge(base, over);
      } else {
        target.put(key, value instanceof JsonObject o ? o.copy() : value instanceof JsonArray a ? a.copy() : value);
      }
    }
    return target;
  }

  private record Override(String variable, String section, String key, Function<String, Object> parse) {
  }

  private static final List<Override> OVERRIDES = List.of(
      new Override("AGENTLOOP_HTTP_PORT", "gateway", "port", v -> integer("AGENTLOOP_HTTP_PORT", v)),
      new Override("AGENTLOOP_LLM_HTTP_PORT", "llm", "http_port", v -> integer("AGENTLOOP_LLM_HTTP_PORT", v)),
      new Override("AGENTLOOP_LLM_HTTP_HOST", "llm", "http_host", String::trim),
      new Override("AGENTLOOP_SERVICES", null, "services", ConfigLoader::list),
      new Override("AGENTLOOP_STORAGE", "storage", "backend", String::trim),
      new Override("AGENTLOOP_DATA_DIR", "storage", "data_dir", String::trim),
      new Override("AGENTLOOP_PG_URL", "storage.postgres", "url", String::trim),
      new Override("AGENTLOOP_API_KEYS", "gateway", "api_keys", ConfigLoader::list),
      new Override("AGENTLOOP_ADMIN_KEY", "gateway", "admin_key", String::trim),
      new Override("AGENTLOOP_TRUSTED_PROXIES", "gateway", "trusted_proxies", ConfigLoader::list),
      new Override("AGENTLOOP_DEMO", "observability", "demo_enabled", v -> bool("AGENTLOOP_DEMO", v)),
      new Override("AGENTLOOP_CLUSTER", "cluster", "enabled", v -> bool("AGENTLOOP_CLUSTER", v)),
      new Override("AGENTLOOP_CLUSTER_NAME", "cluster", "name", String::trim),
      new Override("AGENTLOOP_CLUSTER_HOST", "cluster", "host", String::trim),
      new Override("AGENTLOOP_CLUSTER_PORT", "cluster", "port", v -> integer("AGENTLOOP_CLUSTER_PORT", v)),
      new Override("AGENTLOOP_CLUSTER_MEMBERS", "cluster", "members", ConfigLoader::list),
      new Override("AGENTLOOP_NODE_ID", "cluster", "node_id", String::trim),
      new Override("AGENTLOOP_CLUSTER_BUS_PORT", "cluster", "bus_port", v -> integer("AGENTLOOP_CLUSTER_BUS_PORT", v)),
      new Override("AGENTLOOP_SHUTDOWN_GRACE_MS", "shutdown", "grace_ms", v -> integer("AGENTLOOP_SHUTDOWN_GRACE_MS", v)),
      new Override("AGENTLOOP_SHUTDOWN_PRE_STOP_DELAY_MS", "shutdown", "pre_stop_delay_ms",
          v -> integer("AGENTLOOP_SHUTDOWN_PRE_STOP_DELAY_MS", v)));

  static void applyEnvironment(JsonObject config, Map<String, String> env) {
    for (Override o : OVERRIDES) {
      String raw = env.get(o.variable());
      if (raw == null || raw.isBlank()) {
        continue;
      }
      JsonObject section = config;
      if (o.section() != null) {
        for (String part : o.section().split("\\.")) {
          JsonObject next = section.getJsonObject(part);
          if (next == null) {
            next = new JsonObject();
            section.put(part, next);
          }
          section = next;
        }
      }
      section.put(o.key(), o.parse().apply(raw));
    }
  }

  private static Object integer(String name, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(name + " must be a whole number, got '" + value + "'");
    }
  }

  private static Object bool(String name, String value) {
    return switch (value.trim().toLowerCase()) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> throw new ConfigException(name + " must be true or false, got '" + value + "'");
    };
  }

  private static Object list(String value) {
    return new JsonArray(Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
  }
}
