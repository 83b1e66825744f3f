package dev.agentloop.contract.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Builds the effective configuration: built-in defaults, then the YAML file named by
 * {@code AGENTLOOP_CONFIG} (a key the defaults do not have is an error), then the
 * {@code AGENTLOOP_*} environment variables ({@link EnvironmentOverrides}). Runs once at start, on
 * the main thread, before any event loop exists; the result is a tree in which every key has a
 * value, read into the settings records once.
 */
public final class ConfigLoader {

  public static final String DEFAULTS_RESOURCE = "agentloop-defaults.yaml";

  private ConfigLoader() {
  }

  public static JsonObject load(Map<String, String> env) {
    JsonObject defaults = defaults();
    JsonObject config = defaults.copy();
    String file = env.get("AGENTLOOP_CONFIG");
    if (file != null && !file.isBlank()) {
      JsonObject user = readFile(Path.of(file));
      rejectRetiredKeys(user);
      KnownKeys.check(defaults, user, "AGENTLOOP_CONFIG " + file + ": ");
      merge(config, user);
    }
    EnvironmentOverrides.apply(config, defaults, env);
    AgentloopConfig.from(Settings.root(config)); // fail fast on bad values
    return config;
  }

  /** Applies the {@code AGENTLOOP_*} variables of {@code env} to {@code config} (a tree over the defaults). */
  public static JsonObject withEnvironment(JsonObject config, Map<String, String> env) {
    EnvironmentOverrides.apply(config, defaults(), env);
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
}
