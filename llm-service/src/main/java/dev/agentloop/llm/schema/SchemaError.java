package dev.agentloop.llm.schema;

/**
 * Why no value can be made for a schema, naming the JSON pointer of the part at fault. Internal:
 * {@link SchemaValues} turns it into a 400 {@code ApiException}.
 */
class SchemaError extends RuntimeException {

  private final String pointer;

  SchemaError(String pointer, String problem) {
    super(problem, null, false, false);
    this.pointer = pointer;
  }

  static SchemaError at(String pointer, String problem) {
    return new SchemaError(pointer, problem);
  }

  String pointer() {
    return pointer;
  }

  /** {@code The schema at '#/properties/x' <problem>}. */
  String describe() {
    return "The schema at '" + pointer + "' " + getMessage();
  }

  /** No value was found by chance (a composite check failed every try): another seed may find one. */
  static final class Unlucky extends SchemaError {
    Unlucky(String pointer, String problem) {
      super(pointer, problem);
    }
  }

  /** A limit was reached: never retried with another branch, it ends the generation. */
  static final class Exhausted extends SchemaError {
    Exhausted(String pointer, String problem) {
      super(pointer, problem);
    }
  }
}
