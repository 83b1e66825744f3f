package dev.agentloop.contract.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * The keys agentloop knows are those of its defaults: a key the user sets that the defaults do not
 * have (a typo, a setting of another version) is a start-up error naming it, instead of a silent
 * no-op. {@code gateway.models} is keyed by model names; each model's section may hold what a model
 * can override: {@code timeouts}, {@code retries}, {@code breaker} (as in the gateway-wide
 * sections) and {@code fallbacks}. {@code llm.aliases} is keyed by glob patterns. Lists are not
 * looked into: each record checks its items.
 */
public final class KnownKeys {

  /** Keys of earlier versions, with the key that replaced them. */
  static final Map<String, String> REPLACED = Map.of(
      "gateway.rate_limits.concurrent_streams", "gateway.admission.stream.per_client");

  private static final String MODELS = "gateway.models";
  /** Keyed by glob patterns; each value names a model, checked by the llm-service. */
  private static final String ALIASES = "llm.aliases";

  private KnownKeys() {
  }

  /** Fails on the first key of {@code user} that {@code defaults} does not know; {@code origin} starts the message. */
  public static void check(JsonObject defaults, JsonObject user, String origin) {
    check(defaults, user, "", origin, modelTemplate(defaults));
  }

  private static void check(JsonObject template, JsonObject user, String path, String origin, JsonObject model) {
    for (String key : user.fieldNames()) {
      String name = path.isEmpty() ? key : path + "." + key;
      Object value = user.getValue(key);
      if (REPLACED.containsKey(name)) {
        throw new ConfigException(origin + name + " is replaced by " + REPLACED.get(name) + "; set that instead");
      }
      if (ALIASES.equals(path)) {
        continue;
      }
      if (MODELS.equals(path)) {
        if (value instanceof JsonObject section) {
          check(model, section, name, origin, model);
        } else if (value != null) {
          throw new ConfigException(origin + name + " must be a mapping");
        }
        continue;
      }
      if (!template.containsKey(key)) {
        throw new ConfigException(origin + name + " is not a setting agentloop knows (see the defaults YAML)");
      }
      if (template.getValue(key) instanceof JsonObject inner && value instanceof JsonObject section) {
        check(inner, section, name, origin, model);
      }
    }
  }

  private static JsonObject modelTemplate(JsonObject defaults) {
    JsonObject gateway = defaults.getJsonObject("gateway", new JsonObject());
    JsonObject resilience = gateway.getJsonObject("resilience", new JsonObject());
    JsonObject model = new JsonObject().put("fallbacks", new JsonArray());
    copy(gateway, "timeouts", model);
    copy(resilience, "retries", model);
    copy(resilience, "breaker", model);
    return model;
  }

  private static void copy(JsonObject from, String key, JsonObject into) {
    if (from.getValue(key) instanceof JsonObject section) {
      into.put(key, section);
    }
  }
}
