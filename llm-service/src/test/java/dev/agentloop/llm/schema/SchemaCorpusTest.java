package dev.agentloop.llm.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every schema of the corpus (src/test/resources/schemas), generated with several seeds and hint
 * texts, gives values that an independent validator (networknt) accepts.
 */
class SchemaCorpusTest {

  static final SchemaLimits LIMITS = new SchemaLimits(32, 10_000, 262_144, 10_000, 200_000, 4096);
  private static final long[] SEEDS = {1, 2, 3, 42, 1234567, -9};
  private static final List<String> TEXTS = List.of(
      "",
      "What is the weather in Paris?",
      "Book a flight from London to Tokyo on 2025-06-01 for 2 passengers in business class",
      "find 5 articles about Quantum Computing and email Ada Lovelace",
      "numbers 7 -3 12.5 and 99999 everywhere, please");

  static Stream<Path> schemas() throws IOException, URISyntaxException {
    Path folder = Paths.get(Objects.requireNonNull(SchemaCorpusTest.class.getResource("/schemas")).toURI());
    try (Stream<Path> files = Files.list(folder)) {
      return files.filter(p -> p.toString().endsWith(".json")).sorted().toList().stream();
    }
  }

  static JsonObject read(Path file) throws IOException {
    return new JsonObject(Files.readString(file));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemas")
  void every_generated_value_is_valid_for_the_independent_validator(Path file) throws IOException {
    JsonObject schema = read(file);
    SchemaValues values = SchemaValues.compile(schema, LIMITS, "response_format");
    Set<String> distinct = new HashSet<>();
    List<String> failures = new ArrayList<>();
    for (String text : TEXTS) {
      SchemaHints hints = SchemaHints.of(text, LIMITS.maxHintChars());
      for (long seed : SEEDS) {
        String json = values.generateJson(hints, seed);
        distinct.add(json);
        List<String> errors = RealValidator.errors(schema, json);
        if (!errors.isEmpty()) {
          failures.add("seed " + seed + ", text '" + text + "': " + json + " -> " + errors);
        }
        assertThat(Json.decodeValue(json)).isEqualTo(Json.decodeValue(values.generateJson(hints, seed)));
      }
    }
    assertThat(failures).as(RealValidator.dialectOf(schema)).isEmpty();
    assertThat(distinct).as("values generated").isNotEmpty();
  }
}
