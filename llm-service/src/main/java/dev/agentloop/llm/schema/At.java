package dev.agentloop.llm.schema;

/**
 * Where the generator is: the schema's JSON pointer, the nesting depth, how many {@code $ref}s led
 * here, and the name and description of the property being filled (for hints).
 */
record At(String pointer, int depth, int refs, String name, String description) {

  static At root() {
    return new At("#", 0, 0, null, null);
  }

  At child(String childPointer) {
    return new At(childPointer, depth + 1, refs, name, description);
  }

  At viaRef(String target, String targetDescription) {
    return new At(target, depth + 1, refs + 1, name, description != null ? description : targetDescription);
  }

  At property(String childPointer, String propertyName, String propertyDescription) {
    return new At(childPointer, depth + 1, refs, propertyName, propertyDescription);
  }

  /**
   * Deep in a recursion, or half-way to the depth limit: leave out what may be left out, take
   * the fewest items and the branches that do not recurse.
   */
  boolean winding(SchemaLimits limits) {
    return refs >= 2 || depth >= limits.maxDepth() / 2;
  }
}
