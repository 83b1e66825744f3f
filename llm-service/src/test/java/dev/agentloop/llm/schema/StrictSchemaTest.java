package dev.agentloop.llm.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.agentloop.contract.ApiException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class StrictSchemaTest {

  private static final SchemaLimits LIMITS = SchemaCorpusTest.LIMITS;

  private static JsonObject corpus(String name) throws IOException {
    return SchemaCorpusTest.read(Path.of("src/test/resources/schemas", name));
  }

  @Test
  @DisplayName("schemas written for strict mode pass, and the generator serves them")
  void strict_schemas_pass() throws IOException {
    for (String name : new String[] {"02-get-weather-strict.json", "32-math-reasoning-strict.json", "34-zod-style.json"}) {
      JsonObject schema = corpus(name);
      assertThat(StrictSchema.violation(schema, LIMITS)).as(name).isEmpty();
      String json = SchemaValues.compile(schema, LIMITS, "p").generateJson(SchemaHints.NONE, 5);
      assertThat(RealValidator.errors(schema, json)).as(name).isEmpty();
    }
  }

  @Test
  @DisplayName("an optional property is reported as OpenAI reports it")
  void missing_required() throws IOException {
    assertThat(StrictSchema.violation(corpus("03-web-search.json"), LIMITS)).contains("In context=(), 'required' is "
        + "required to be supplied and to be an array including every key in properties. Missing 'max_results'.");
  }

  @Test
  @DisplayName("an open nested object is reported with its context path")
  void open_nested_object() {
    JsonObject schema = new JsonObject("{\"type\":\"object\",\"properties\":{\"address\":{\"type\":\"object\","
        + "\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}},\"required\":[\"address\"],"
        + "\"additionalProperties\":false}");
    assertThat(StrictSchema.violation(schema, LIMITS)).contains("In context=('properties', 'address'), "
        + "'additionalProperties' is required to be supplied and to be false.");
  }

  @Test
  @DisplayName("objects inside $defs, array items and anyOf branches are checked too")
  void nested_places() {
    JsonObject schema = new JsonObject("{\"type\":\"object\",\"properties\":{\"list\":{\"type\":\"array\",\"items\":"
        + "{\"anyOf\":[{\"$ref\":\"#/$defs/a\"},{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"string\"}},"
        + "\"additionalProperties\":false,\"required\":[]}]}}},\"required\":[\"list\"],\"additionalProperties\":false,"
        + "\"$defs\":{\"a\":{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}}}");
    assertThat(StrictSchema.violation(schema, LIMITS)).contains("In context=('properties', 'list', 'items', 'anyOf', '1'), "
        + "'required' is required to be supplied and to be an array including every key in properties. Missing 'x'.");
  }

  @Test
  @DisplayName("a root that is not an object is refused; check() throws the 400 with subject, param and code")
  void root_and_check() {
    assertThat(StrictSchema.violation(new JsonObject("{\"type\":\"array\"}"), LIMITS))
        .contains("schema must be a JSON Schema of 'type: \"object\"', got 'type: \"array\"'.");
    ApiException error = catchThrowableOfType(ApiException.class, () -> StrictSchema.check(
        new JsonObject("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"additionalProperties\":false}"),
        "function 'lookup'", "tools[0].function.parameters", "invalid_function_parameters", LIMITS));
    assertThat(error.status()).isEqualTo(400);
    assertThat(error.param()).isEqualTo("tools[0].function.parameters");
    assertThat(error.code()).isEqualTo("invalid_function_parameters");
    assertThat(error.getMessage()).isEqualTo("Invalid schema for function 'lookup': In context=(), 'required' is required "
        + "to be supplied and to be an array including every key in properties. Missing 'a'.");
  }
}
