package dev.agentloop.llm.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.agentloop.contract.ApiException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Schemas built to hurt: each ends in a 400 in OpenAI's error shape whose message names the JSON
 * pointer at fault, within the work bounds (the timeout only guards against a hang).
 */
class HostileSchemaTest {

  private static final SchemaLimits LIMITS = SchemaCorpusTest.LIMITS;
  private static final Duration HANG_GUARD = Duration.ofSeconds(20);
  private static final String PARAM = "response_format.json_schema.schema";

  private static ApiException rejected(JsonObject schema) {
    return assertTimeoutPreemptively(HANG_GUARD, () -> catchThrowableOfType(ApiException.class,
        () -> SchemaValues.compile(schema, LIMITS, PARAM).generate(SchemaHints.of("Paris 3", 4096), 1)));
  }

  private static void assertBadRequest(ApiException error, String pointer) {
    assertThat(error).as("a 400 is thrown").isNotNull();
    assertThat(error.status()).isEqualTo(400);
    assertThat(error.type()).isEqualTo("invalid_request_error");
    assertThat(error.param()).isEqualTo(PARAM);
    assertThat(error.code()).isEqualTo("invalid_json_schema");
    assertThat(error.getMessage()).contains("'" + pointer + "'");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "minimum above maximum | {\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"number\",\"minimum\":5,\"maximum\":3}},\"required\":[\"n\"]} | #/properties/n",
      "no integer in range | {\"type\":\"integer\",\"minimum\":1.2,\"maximum\":1.8} | #",
      "no multiple in range | {\"type\":\"integer\",\"multipleOf\":10,\"minimum\":11,\"maximum\":19} | #",
      "minLength above maxLength | {\"type\":\"string\",\"minLength\":5,\"maxLength\":2} | #",
      "minItems above maxItems | {\"type\":\"array\",\"minItems\":3,\"maxItems\":1} | #",
      "empty enum | {\"properties\":{\"e\":{\"enum\":[]}},\"required\":[\"e\"]} | #/properties/e",
      "enum against type | {\"type\":\"string\",\"enum\":[1,2]} | #",
      "required but forbidden | {\"type\":\"object\",\"properties\":{},\"required\":[\"x\"],\"additionalProperties\":false} | #",
      "required false schema | {\"type\":\"object\",\"properties\":{\"x\":false},\"required\":[\"x\"]} | #/properties/x",
      "type with no member | {\"allOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]} | #",
      "unknown type | {\"type\":\"text\"} | #",
      "oneOf of identical branches | {\"oneOf\":[{\"const\":1},{\"const\":1}]} | #",
      "huge minItems | {\"type\":\"array\",\"minItems\":1000000000} | #",
      "huge minLength | {\"type\":\"string\",\"minLength\":1000000000} | #",
      "huge minProperties | {\"type\":\"object\",\"minProperties\":1000000000} | #",
      "combinatorial arrays | {\"type\":\"array\",\"minItems\":100,\"items\":{\"type\":\"array\",\"minItems\":100,\"items\":{\"type\":\"array\",\"minItems\":100}}} | #/items/items/items",
      "unique items impossible | {\"type\":\"array\",\"items\":{\"type\":\"boolean\"},\"minItems\":3,\"uniqueItems\":true} | #/items",
      "ref cycle | {\"$defs\":{\"a\":{\"$ref\":\"#/$defs/b\"},\"b\":{\"$ref\":\"#/$defs/a\"}},\"$ref\":\"#/$defs/a\"} | #/$defs/a",
      "endless required recursion | {\"type\":\"object\",\"properties\":{\"next\":{\"$ref\":\"#\"}},\"required\":[\"next\"]} | #/properties/next",
      "unknown ref | {\"properties\":{\"a\":{\"$ref\":\"#/$defs/missing\"}}} | #/properties/a",
      "remote ref | {\"properties\":{\"a\":{\"$ref\":\"https://example.com/s.json\"}}} | #/properties/a",
      "invalid pattern | {\"type\":\"string\",\"pattern\":\"([a-z\"} | #",
      "lookahead pattern | {\"type\":\"object\",\"properties\":{\"p\":{\"type\":\"string\",\"pattern\":\"^(?=.*[A-Z]).{8}$\"}}, \"required\":[\"p\"]} | #/properties/p",
      "backreference pattern | {\"type\":\"string\",\"pattern\":\"^(a)\\\\1$\"} | #",
      "pattern too long for maxLength | {\"type\":\"string\",\"pattern\":\"^[a-z]{10}$\",\"maxLength\":5} | #",
      "bad keyword value | {\"type\":\"string\",\"minLength\":-1} | #",
      "not a schema | {\"properties\":{\"a\":42},\"required\":[\"a\"]} | #/properties/a",
      "contradicting const | {\"allOf\":[{\"const\":1},{\"const\":2}]} | #",
      "not everything | {\"not\":{}} | #",
  })
  void contradictory_unsupported_and_oversized_schemas_are_400s(String name, String schema, String pointer) {
    assertBadRequest(rejected(new JsonObject(schema)), pointer);
  }

  @Test
  @DisplayName("a schema nested 1,000 levels deep is refused at the depth limit")
  void deep_nesting() {
    JsonObject schema = new JsonObject().put("type", "string");
    for (int i = 0; i < 1000; i++) {
      schema = new JsonObject().put("type", "object").put("properties", new JsonObject().put("a", schema))
          .put("required", new JsonArray().add("a"));
    }
    ApiException error = rejected(schema);
    assertBadRequest(error, "#" + "/properties/a".repeat(LIMITS.maxDepth() + 1));
    assertThat(error.getMessage()).contains("deeper than " + LIMITS.maxDepth());
  }

  @Test
  @DisplayName("a schema with more nodes than the limit is refused before any generation")
  void too_many_nodes() {
    JsonObject properties = new JsonObject();
    for (int i = 0; i < LIMITS.maxSchemaNodes(); i++) {
      properties.put("p" + i, new JsonObject().put("type", "integer"));
    }
    ApiException error = catchThrowableOfType(ApiException.class,
        () -> SchemaValues.compile(new JsonObject().put("properties", properties), LIMITS, PARAM));
    assertBadRequest(error, "#");
    assertThat(error.getMessage()).contains("more than " + LIMITS.maxSchemaNodes() + " nodes");
  }

  @Test
  @DisplayName("branches that multiply through references exhaust the work budget instead of running away")
  void exponential_branches() {
    JsonObject defs = new JsonObject().put("d0", new JsonObject().put("type", "integer").put("minimum", 5).put("maximum", 1));
    for (int i = 1; i <= 24; i++) {
      String previous = "#/$defs/d" + (i - 1);
      defs.put("d" + i, new JsonObject().put("anyOf", new JsonArray()
          .add(new JsonObject().put("$ref", previous)).add(new JsonObject().put("$ref", previous))));
    }
    JsonObject schema = new JsonObject().put("$defs", defs).put("$ref", "#/$defs/d24");
    ApiException error = rejected(schema);
    assertThat(error).isNotNull();
    assertThat(error.status()).isEqualTo(400);
    assertThat(error.getMessage()).containsPattern("'#/\\$defs/d\\d+'");
  }

  @Test
  @DisplayName("a pattern that backtracks catastrophically on a long string is stopped by the step budget")
  void catastrophic_pattern() {
    JsonObject schema = new JsonObject().put("type", "array").put("minItems", 50).put("items",
        new JsonObject().put("type", "string").put("minLength", 2000).put("pattern", "(x+x+)+y|x"));
    ApiException error = rejected(schema);
    assertThat(error).isNotNull();
    assertThat(error.status()).isEqualTo(400);
  }
}
