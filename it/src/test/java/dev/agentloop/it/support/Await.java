package dev.agentloop.it.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes: waiting on a fact, never on a fixed time. */
public final class Await {

  private Await() {
  }

  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + what);
      }
      Thread.onSpinWait();
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for: " + what);
      }
    }
  }

  public static <T> T value(String what, Duration timeout, Supplier<T> supplier, java.util.function.Predicate<T> ok) {
    Object[] last = new Object[1];
    until(what, timeout, () -> {
      last[0] = supplier.get();
      return ok.test((T) last[0]);
    });
    @SuppressWarnings("unchecked")
    T value = (T) last[0];
    return value;
  }
}
