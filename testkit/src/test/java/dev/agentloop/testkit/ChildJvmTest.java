package dev.agentloop.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChildJvmTest {

  @Test
  void the_output_of_an_exited_jvm_is_read_from_its_log_and_the_temporary_log_is_deleted_on_close() {
    Path log;
    try (ChildJvm jvm = ChildJvm.start("java -version", ChildJvm.java(List.of(), "-version"), Map.of(), true, null)) {
      assertThat(jvm.awaitExit(Duration.ofSeconds(60))).isZero();
      assertThat(jvm.awaitLine("version", Duration.ofSeconds(5))).contains("version");
      assertThat(jvm.output()).isNotEmpty();
      log = jvm.log();
      assertThat(log).exists();
    }
    assertThat(Files.exists(log)).isFalse();
  }

  @Test
  void waiting_for_a_line_a_jvm_never_prints_fails_with_its_output_once_it_has_exited() {
    try (ChildJvm jvm = ChildJvm.start("java -version", ChildJvm.java(List.of(), "-version"), Map.of(), true, null)) {
      assertThatThrownBy(() -> jvm.awaitLine("no such line", Duration.ofSeconds(60))).isInstanceOf(AssertionError.class)
          .hasMessageContaining("exited with 0").hasMessageContaining("version");
    }
  }
}
