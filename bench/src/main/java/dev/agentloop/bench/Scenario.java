package dev.agentloop.bench;

import java.util.List;

/**
 * One benchmark scenario: a name {@code --only} selects it by, what it measures, and a run that
 * loads its servers and answers the rows of the targets table. Request and run figures go to
 * {@link BenchContext#report()}.
 */
interface Scenario {

  /** The word {@code --only} selects the scenario by. */
  String name();

  /** What the scenario measures and against which baseline of the same run. */
  String measures();

  /** True when the scenario loads the one-JVM suite the runner starts first ({@link BenchContext#shared()}). */
  boolean onSharedSuite();

  /** Whether {@code --only} (null: every scenario) selects this scenario. */
  default boolean selectedBy(List<String> only) {
    return only == null || only.contains(name());
  }

  /** Runs the scenario; answers its rows of the targets table, in order. */
  List<Verdict> run(BenchContext context) throws Exception;
}
