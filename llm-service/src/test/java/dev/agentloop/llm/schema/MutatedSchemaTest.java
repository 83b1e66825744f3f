package dev.agentloop.llm.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.contract.ApiException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Corpus schemas with one node replaced by something out of place (a negative count, a string
 * where a schema goes, a dangling reference...): generation either gives a value or a 400, never
 * another exception.
 */
class MutatedSchemaTest {

  private static final int MUTANTS_PER_SCHEMA = 60;
  private static final List<Object> ODDITIES = List.of(-1, 0, 1_000_000_000, 2.5, "x", "", true, false,
      new JsonArray(), new JsonArray().add(1).add("a"), new JsonObject(), new JsonObject().put("type", "weird"),
      new JsonObject().put("$ref", "#/nowhere"), new JsonObject().put("$ref", "#"), new JsonObject().put("not", true),
      new JsonObject().put("enum", new JsonArray()), new JsonObject().put("pattern", "(?<=x)y"),
      new JsonObject().put("type", new JsonArray().add("null")), new JsonObject().put("minimum", 10).put("maximum", 1));

  @Test
  @DisplayName("every mutant of every corpus schema gives a value or a 400, nothing else")
  void mutants_give_a_value_or_a_400() throws Exception {
    SplittableRandom random = new SplittableRandom(2024);
    int values = 0;
    int rejected = 0;
    List<String> unexpected = new ArrayList<>();
    for (Path file : SchemaCorpusTest.schemas().toList()) {
      for (int i = 0; i < MUTANTS_PER_SCHEMA; i++) {
        JsonObject mutant = SchemaCorpusTest.read(file);
        mutate(mutant, random);
        try {
          SchemaValues.compile(mutant, SchemaCorpusTest.LIMITS, "p").generate(SchemaHints.of("Paris 12", 4096), i);
          values++;
        } catch (ApiException e) {
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.getMessage()).contains("'#");
          rejected++;
        } catch (RuntimeException | StackOverflowError e) {
          unexpected.add(file.getFileName() + " " + mutant.encode() + " -> " + e);
        }
      }
    }
    assertThat(unexpected).isEmpty();
    assertThat(values).as("mutants that still give values").isPositive();
    assertThat(rejected).as("mutants rejected").isPositive();
  }

  /** Replaces one node, chosen at random among all object fields and array items, by an oddity. */
  private static void mutate(JsonObject schema, SplittableRandom random) {
    List<Runnable> replacements = new ArrayList<>();
    collect(schema, replacements, random);
    if (!replacements.isEmpty()) {
      replacements.get(random.nextInt(replacements.size())).run();
    }
  }

  private static void collect(Object node, List<Runnable> replacements, SplittableRandom random) {
    Object oddity = ODDITIES.get(random.nextInt(ODDITIES.size()));
    if (node instanceof JsonObject object) {
      for (Map.Entry<String, Object> field : object) {
        replacements.add(() -> object.put(field.getKey(), oddity));
        collect(field.getValue(), replacements, random);
      }
    } else if (node instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        int index = i;
        replacements.add(() -> array.set(index, oddity));
        collect(array.getValue(i), replacements, random);
      }
    }
  }
}
