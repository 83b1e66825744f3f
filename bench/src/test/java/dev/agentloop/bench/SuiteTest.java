package dev.agentloop.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which scenarios {@code --only} selects, and the order the runner takes them in. */
class SuiteTest {

  private static List<String> selected(List<String> only) {
    return Suite.SCENARIOS.stream().filter(s -> s.selectedBy(only)).map(Scenario::name).toList();
  }

  @Test
  void every_scenario_runs_without_only_those_on_the_shared_suite_first() {
    assertThat(selected(null)).containsExactly("request", "fanout", "embeddings", "persist", "streams", "tool-streams",
        "pg", "cluster");
    assertThat(Suite.SCENARIOS.stream().map(Scenario::onSharedSuite).toList())
        .containsExactly(true, true, true, true, false, false, false, false);
    assertThat(Suite.SCENARIOS.stream().map(Scenario::measures)).allMatch(m -> !m.isBlank());
  }

  @Test
  void only_selects_the_named_scenarios_and_persist_brings_postgres() {
    assertThat(selected(List.of("request"))).containsExactly("request");
    assertThat(selected(List.of("fanout", "streams"))).containsExactly("fanout", "streams");
    assertThat(selected(List.of("persist"))).containsExactly("persist", "pg");
    assertThat(selected(List.of("pg"))).containsExactly("pg");
    assertThat(selected(List.of("cluster"))).containsExactly("cluster");
    assertThat(selected(List.of("embeddings"))).containsExactly("embeddings");
    assertThat(selected(List.of("tool-streams"))).containsExactly("tool-streams");
    assertThat(selected(List.of("nothing"))).isEmpty();
  }
}
