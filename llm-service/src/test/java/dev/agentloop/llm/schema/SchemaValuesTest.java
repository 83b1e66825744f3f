package dev.agentloop.llm.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SchemaValuesTest {

  private static final SchemaLimits LIMITS = SchemaCorpusTest.LIMITS;

  private static SchemaValues compile(String schema) {
    return SchemaValues.compile(new JsonObject(schema), LIMITS, "tools[0].function.parameters");
  }

  private static JsonObject generate(String schema, String text, long seed) {
    return (JsonObject) compile(schema).generate(SchemaHints.of(text, LIMITS.maxHintChars()), seed);
  }

  private static JsonObject corpus(String name) throws IOException {
    return SchemaCorpusTest.read(Path.of("src/test/resources/schemas", name));
  }

  @Test
  @DisplayName("the same schema, hints and seed give the same value, every time")
  void deterministic() throws IOException {
    SchemaValues values = SchemaValues.compile(corpus("05-order-defs.json"), LIMITS, "response_format");
    SchemaHints hints = SchemaHints.of("Ship it to Lyon", LIMITS.maxHintChars());
    String first = values.generateJson(hints, 77);
    for (int i = 0; i < 5; i++) {
      assertThat(SchemaValues.compile(corpus("05-order-defs.json"), LIMITS, "response_format").generateJson(hints, 77))
          .isEqualTo(first);
    }
  }

  @Test
  @DisplayName("different seeds give different values where the schema leaves room")
  void seeds_vary_the_value() throws IOException {
    SchemaValues values = SchemaValues.compile(corpus("04-calendar-event.json"), LIMITS, "response_format");
    Set<String> seen = new HashSet<>();
    for (long seed = 0; seed < 20; seed++) {
      seen.add(values.generateJson(SchemaHints.NONE, seed));
    }
    assertThat(seen).hasSizeGreaterThanOrEqualTo(15);
  }

  @Test
  @DisplayName("a city property takes the place named in the user's message")
  void city_from_the_message() {
    String schema = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}";
    for (long seed = 0; seed < 5; seed++) {
      assertThat(generate(schema, "What is the weather in Paris?", seed).getString("city")).isEqualTo("Paris");
    }
  }

  @Test
  @DisplayName("a description that speaks of a location is enough; multi-word names stay whole")
  void location_by_description() throws IOException {
    JsonObject args = (JsonObject) SchemaValues.compile(corpus("01-get-weather.json"), LIMITS, "p")
        .generate(SchemaHints.of("Is it raining in New York today?", 4096), 3);
    assertThat(args.getString("location")).isEqualTo("New York");
  }

  @Test
  @DisplayName("two place properties take the two places in order, a count takes the number, an enum the word used")
  void flight_from_the_message() throws IOException {
    JsonObject args = (JsonObject) SchemaValues.compile(corpus("39-book-flight.json"), LIMITS, "p")
        .generate(SchemaHints.of("Book a flight from London to Tokyo on 2025-06-01 for 2 passengers, business please",
            4096), 11);
    assertThat(args.getString("origin")).isEqualTo("London");
    assertThat(args.getString("destination")).isEqualTo("Tokyo");
    assertThat(args.getInteger("passengers")).isEqualTo(2);
    assertThat(args.getString("cabin", "business")).isEqualTo("business");
  }

  @Test
  @DisplayName("a query takes the content words of the message; a number out of bounds is not used")
  void query_and_bounded_numbers() {
    String schema = "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\"},\"limit\":{\"type\":\"integer\","
        + "\"minimum\":1,\"maximum\":10}},\"required\":[\"query\",\"limit\"]}";
    JsonObject args = generate(schema, "Search the web for 500 recipes with Tomatoes", 1);
    assertThat(args.getString("query")).isEqualTo("web recipes Tomatoes");
    assertThat(args.getInteger("limit")).isBetween(1, 10).isNotEqualTo(500);
    assertThat(generate(schema, "Search for 7 recipes", 1).getInteger("limit")).isEqualTo(7);
    assertThat(generate(schema, "What's the weather like in Paris?", 1).getString("query")).isEqualTo("weather Paris");
  }

  @Test
  @DisplayName("an enum value the user names is chosen")
  void enum_from_the_message() throws IOException {
    for (long seed = 0; seed < 5; seed++) {
      JsonObject args = (JsonObject) SchemaValues.compile(corpus("02-get-weather-strict.json"), LIMITS, "p")
          .generate(SchemaHints.of("Weather in Oslo in fahrenheit", 4096), seed);
      assertThat(args.getString("units")).isEqualTo("fahrenheit");
    }
  }

  @Test
  @DisplayName("hints read only the first maxHintChars characters of a long message")
  void hints_are_bounded() {
    String text = "x ".repeat(50_000) + "Paris";
    SchemaHints hints = SchemaHints.of(text, 4096);
    assertThat(hints.text()).hasSize(4096);
    assertThat(hints.names()).isEmpty();
    assertThat(SchemaHints.of("Meet Ada Lovelace in Paris at 10", 4096).names()).containsExactly("Ada Lovelace", "Paris");
  }

  @Test
  @DisplayName("a recursive schema ends: the recursion winds down through optional, empty or null branches")
  void recursion_terminates() throws IOException {
    SchemaValues tree = SchemaValues.compile(corpus("18-recursive-tree.json"), LIMITS, "p");
    for (long seed = 0; seed < 30; seed++) {
      assertThat(depth(tree.generate(SchemaHints.NONE, seed))).isLessThanOrEqualTo(LIMITS.maxDepth());
    }
  }

  private static int depth(Object value) {
    int deepest = 0;
    if (value instanceof JsonObject object) {
      for (String key : object.fieldNames()) {
        deepest = Math.max(deepest, depth(object.getValue(key)));
      }
      return deepest + 1;
    }
    if (value instanceof JsonArray array) {
      for (Object item : array) {
        deepest = Math.max(deepest, depth(item));
      }
      return deepest + 1;
    }
    return 0;
  }

  @Test
  @DisplayName("oneOf gives a value that exactly one branch accepts, even when the branches overlap")
  void one_of_exactly_one() {
    String schema = "{\"oneOf\":[{\"type\":\"integer\",\"minimum\":0,\"maximum\":10},{\"type\":\"integer\",\"minimum\":5,"
        + "\"maximum\":15}]}";
    SchemaValues values = compile(schema);
    for (long seed = 0; seed < 40; seed++) {
      long n = ((Number) values.generate(SchemaHints.NONE, seed)).longValue();
      assertThat(n < 5 || n > 10).as("value %d", n).isTrue();
    }
  }

  @Test
  @DisplayName("the empty and true schemas give some value, and a value generated for null is JSON null")
  void trivial_schemas() {
    assertThat(compile("{}").generate(SchemaHints.NONE, 1)).isNotNull();
    assertThat(compile("{\"type\":\"null\"}").generateJson(SchemaHints.NONE, 1)).isEqualTo("null");
    assertThat(compile("{\"const\":[1,{\"a\":true}]}").generateJson(SchemaHints.NONE, 1)).isEqualTo("[1,{\"a\":true}]");
  }

  @Test
  @DisplayName("annotations of odd types (a numeric description, a title object) are ignored, not errors")
  void odd_annotations() {
    String schema = "{\"$defs\":{\"a\":{\"type\":\"string\",\"description\":5,\"title\":{}}},\"properties\":{\"x\":"
        + "{\"$ref\":\"#/$defs/a\"}},\"required\":[\"x\"]}";
    assertThat(generate(schema, "", 1).getValue("x")).isInstanceOf(String.class);
  }
}
