package dev.agentloop.llm.schema;

import dev.agentloop.contract.ApiException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.SplittableRandom;

/**
 * Values valid against a JSON schema, for the mock's tool-call arguments and structured output.
 * Deterministic: the same schema, hints and seed give the same value. Supported: {@code type}
 * (lists and OpenAPI's {@code nullable} too), objects ({@code properties}, {@code required},
 * {@code additionalProperties}, {@code patternProperties}, {@code min/maxProperties},
 * {@code dependentRequired}), arrays ({@code items}, {@code prefixItems}, {@code min/maxItems},
 * {@code uniqueItems}, {@code contains}), strings ({@code enum}, {@code const},
 * {@code min/maxLength}, simple {@code pattern}s, common {@code format}s), numbers and integers
 * within bounds and {@code multipleOf}, booleans, null, local {@code $ref} (recursive ones end),
 * {@code allOf}, {@code anyOf}, {@code oneOf}, {@code not}, {@code if}/{@code then}/{@code else},
 * and the {@code true}/{@code {}} schemas.
 *
 * <p>The work is bounded by {@link SchemaLimits}. A schema that is contradictory, unsupported or
 * too costly fails with a 400 {@link ApiException} (code {@code invalid_json_schema}) whose
 * message names the JSON pointer at fault. Build one per schema with {@link #compile}, then call
 * {@link #generate} for each answer; it runs in microseconds for ordinary tool schemas and in at
 * most {@link SchemaLimits#maxWork()} steps for any. An instance caches compiled patterns: use it
 * from one thread at a time (one event loop), or compile one per request.
 */
public final class SchemaValues {

  private static final int WHOLE_TRIES = 3;

  private final SchemaIndex index;
  private final SchemaLimits limits;
  private final String param;

  private SchemaValues(SchemaIndex index, SchemaLimits limits, String param) {
    this.index = index;
    this.limits = limits;
    this.param = param;
  }

  /**
   * Checks the schema's size and references once.
   *
   * @param param the request parameter errors name, e.g. {@code tools[0].function.parameters}
   */
  public static SchemaValues compile(JsonObject schema, SchemaLimits limits, String param) {
    if (schema == null) {
      throw ApiException.badRequest("Invalid schema: expected a JSON object.", param, "invalid_json_schema");
    }
    try {
      return new SchemaValues(SchemaIndex.of(schema, limits), limits, param);
    } catch (SchemaError e) {
      throw error(e, param);
    }
  }

  /**
   * A value valid against the schema: a {@link JsonObject}, {@link JsonArray},
   * String, Number, Boolean, or null for JSON null.
   */
  public Object generate(SchemaHints hints, long seed) {
    Budget budget = new Budget(limits);
    SplittableRandom random = new SplittableRandom(seed);
    String failure = null;
    try {
      for (int attempt = 0; attempt < WHOLE_TRIES; attempt++) {
        budget.restart();
        Generator generator = new Generator(index, budget, hints, random.split());
        try {
          Object value = generator.value(index.root(), At.root());
          failure = generator.check.failure(index.root(), value, "#");
          if (failure == null) {
            return value;
          }
        } catch (SchemaError.Unlucky e) {
          failure = e.describe();
        }
      }
    } catch (SchemaError e) {
      throw error(e, param);
    }
    throw ApiException.badRequest("Invalid schema: the mock could not generate a value that meets it ("
        + failure + ").", param, "invalid_json_schema");
  }

  /** {@link #generate} encoded as compact JSON text. */
  public String generateJson(SchemaHints hints, long seed) {
    return Json.encode(generate(hints, seed));
  }

  private static ApiException error(SchemaError e, String param) {
    return ApiException.badRequest("Invalid schema: " + e.describe() + ".", param, "invalid_json_schema");
  }
}
