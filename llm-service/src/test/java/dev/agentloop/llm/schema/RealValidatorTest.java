package dev.agentloop.llm.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The corpus test's validator has teeth: for each dialect it rejects what that dialect forbids. */
class RealValidatorTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "format date | {\"type\":\"string\",\"format\":\"date\"} | \"2025-01-02\" | \"2025-13-45\"",
      "format email | {\"type\":\"string\",\"format\":\"email\"} | \"a@example.com\" | \"not an email\"",
      "format date-time | {\"type\":\"string\",\"format\":\"date-time\"} | \"2025-01-02T10:00:00Z\" | \"2025-01-02 10:00\"",
      "additionalProperties | {\"type\":\"object\",\"properties\":{\"a\":{}},\"additionalProperties\":false} | {\"a\":1} | {\"a\":1,\"b\":2}",
      "ref into $defs | {\"$defs\":{\"n\":{\"type\":\"integer\",\"maximum\":3}},\"$ref\":\"#/$defs/n\"} | 3 | 4",
      "2020-12 prefixItems | {\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"prefixItems\":[{\"type\":\"string\"}],\"items\":false} | [\"a\"] | [\"a\",1]",
      "draft-04 boolean exclusiveMinimum | {\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"minimum\":0,\"exclusiveMinimum\":true} | 1 | 0",
      "draft-07 tuple items | {\"items\":[{\"type\":\"string\"}],\"additionalItems\":false} | [\"a\"] | [\"a\",\"b\"]",
      "OpenAPI nullable | {\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"nullable\":true}},\"required\":[\"a\"]} | {\"a\":null} | {\"a\":1}",
      "oneOf exactly one | {\"oneOf\":[{\"minimum\":0},{\"maximum\":10}]} | 20 | 5",
  })
  void accepts_the_good_value_and_rejects_the_bad_one(String name, String schema, String good, String bad) {
    JsonObject parsed = new JsonObject(schema);
    assertThat(RealValidator.errors(parsed, good)).isEmpty();
    assertThat(RealValidator.errors(parsed, bad)).isNotEmpty();
  }
}
