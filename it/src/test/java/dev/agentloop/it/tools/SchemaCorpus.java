package dev.agentloop.it.tools;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The schema corpus of the llm-service's generator tests, read from that module's test resources. */
public final class SchemaCorpus {

  private static final Path FOLDER = Path.of("..", "llm-service", "src", "test", "resources", "schemas");

  private SchemaCorpus() {
  }

  public record Entry(String name, JsonObject schema) {
    @Override
    public String toString() {
      return name;
    }
  }

  public static List<Entry> all() {
    try (Stream<Path> files = Files.list(FOLDER)) {
      return files.filter(p -> p.toString().endsWith(".json")).sorted()
          .map(p -> new Entry(p.getFileName().toString(), read(p))).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The schemas whose root is an object: what a function's parameters may be. */
  public static List<Entry> objects() {
    return all().stream().filter(e -> "object".equals(e.schema().getValue("type"))).toList();
  }

  private static JsonObject read(Path file) {
    try {
      return new JsonObject(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
