package dev.agentloop.llm.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Determinism must hold across processes (a retried stream may land on another cluster member):
 * two fresh JVMs generate the whole corpus and must print exactly what this one generates.
 */
class OtherProcessTest {

  /** Writes one generated value per corpus schema, one line each, to the file named by the argument. */
  public static void main(String[] args) throws Exception {
    Files.writeString(Path.of(args[0]), String.join("\n", corpusValues()) + "\n");
  }

  static List<String> corpusValues() throws Exception {
    List<String> lines = new ArrayList<>();
    SchemaHints hints = SchemaHints.of("Book a flight from London to Tokyo for 2 passengers", 4096);
    for (Path file : SchemaCorpusTest.schemas().toList()) {
      SchemaValues values = SchemaValues.compile(SchemaCorpusTest.read(file), SchemaCorpusTest.LIMITS, "p");
      lines.add(file.getFileName() + " " + values.generateJson(hints, 7) + " " + values.generateJson(SchemaHints.NONE, 8));
    }
    return lines;
  }

  @Test
  @DisplayName("two other JVMs generate exactly the same values as this one")
  void same_values_in_other_processes() throws Exception {
    String here = String.join("\n", corpusValues()) + "\n";
    for (int run = 0; run < 2; run++) {
      assertThat(runElsewhere()).isEqualTo(here);
    }
  }

  private static String runElsewhere() throws IOException, InterruptedException {
    Path output = Files.createTempFile("corpus-values", ".txt");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        OtherProcessTest.class.getName(), output.toString())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the other JVM finishes").isTrue();
      assertThat(process.exitValue()).isZero();
      return Files.readString(output);
    } finally {
      process.destroyForcibly();
      Files.deleteIfExists(output);
    }
  }
}
