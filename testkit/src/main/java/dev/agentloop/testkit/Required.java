package dev.agentloop.testkit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** What a test needs from the machine (a PostgreSQL server, its binaries): skipped without it, failed under CI. */
public final class Required {

  private Required() {
  }

  /**
   * Aborts the calling test (skipped) because {@code why}; when the variable {@code CI} is set the
   * test fails instead, so CI never passes by skipping.
   */
  public static void missing(String why) {
    if (System.getenv("CI") != null) {
      Assertions.fail(why + "; CI is set, so PostgreSQL tests must run");
    }
    Assumptions.abort(why + "; skipping (set CI to make this a failure)");
  }
}
