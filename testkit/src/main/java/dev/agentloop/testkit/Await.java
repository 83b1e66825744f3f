package dev.agentloop.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes: waiting on a fact, never on a fixed time. */
public final class Await {

  private static final Duration POLL = Duration.ofMillis(5);

  private Await() {
  }

  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    until(what, timeout, POLL, condition);
  }

  /** As {@link #until(String, Duration, BooleanSupplier)}, asking every {@code poll}. */
  public static void until(String what, Duration timeout, Duration poll, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + what);
      }
      try {
        Thread.sleep(poll.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for: " + what);
      }
    }
  }

  public static <T> T value(String what, Duration timeout, Supplier<T> supplier, Predicate<T> ok) {
    Holder<T> last = new Holder<>();
    until(what, timeout, () -> {
      last.value = supplier.get();
      return ok.test(last.value);
    });
    return last.value;
  }

  private static final class Holder<T> {
    T value;
  }
}
