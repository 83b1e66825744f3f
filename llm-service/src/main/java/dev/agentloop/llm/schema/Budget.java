package dev.agentloop.llm.schema;

/** Counts the work, values and characters of one generation against its {@link SchemaLimits}. */
final class Budget {

  private final SchemaLimits limits;
  private long work;
  private long nodes;
  private long chars;

  Budget(SchemaLimits limits) {
    this.limits = limits;
  }

  SchemaLimits limits() {
    return limits;
  }

  void step(String pointer) {
    if (++work > limits.maxWork()) {
      throw new SchemaError.Exhausted(pointer, "needs more than " + limits.maxWork()
          + " steps to generate and check a value; simplify the schema");
    }
  }

  void node(String pointer) {
    step(pointer);
    if (++nodes > limits.maxNodes()) {
      throw new SchemaError.Exhausted(pointer, "needs more than " + limits.maxNodes()
          + " JSON values; lower minItems/minProperties or the nesting");
    }
  }

  void chars(String pointer, long count) {
    chars += count;
    if (chars > limits.maxOutputChars()) {
      throw new SchemaError.Exhausted(pointer, "needs more than " + limits.maxOutputChars()
          + " characters of text; lower minLength/minItems");
    }
  }

  /** Starts a fresh attempt: values and characters count again from zero, work keeps adding up. */
  void restart() {
    nodes = 0;
    chars = 0;
  }
}
