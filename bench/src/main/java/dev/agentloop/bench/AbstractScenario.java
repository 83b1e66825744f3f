package dev.agentloop.bench;

/** A scenario's name, what it measures and which suite JVM it loads, fixed when it is made. */
abstract class AbstractScenario implements Scenario {

  private final String name;
  private final String measures;
  private final boolean onSharedSuite;

  AbstractScenario(String name, String measures, boolean onSharedSuite) {
    this.name = name;
    this.measures = measures;
    this.onSharedSuite = onSharedSuite;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final String measures() {
    return measures;
  }

  @Override
  public final boolean onSharedSuite() {
    return onSharedSuite;
  }
}
