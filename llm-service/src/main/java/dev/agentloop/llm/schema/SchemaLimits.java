package dev.agentloop.llm.schema;

/**
 * Bounds on what one schema may cost, whatever a client sends. Every generation stops with a 400
 * when it would pass one of them.
 *
 * @param maxDepth deepest nesting of generated values, counting each {@code $ref} and composition step
 * @param maxNodes most JSON values one generation creates, discarded attempts included
 * @param maxOutputChars most characters of string content and keys one generation creates
 * @param maxSchemaNodes most JSON nodes (objects, arrays, values) a schema may hold
 * @param maxWork most steps (values made, nodes checked, characters matched) one generation may take
 * @param maxHintChars how much of the user's message hint extraction reads
 */
public record SchemaLimits(int maxDepth, int maxNodes, int maxOutputChars, int maxSchemaNodes, int maxWork,
    int maxHintChars) {

  public SchemaLimits {
    if (maxDepth < 1 || maxNodes < 1 || maxOutputChars < 1 || maxSchemaNodes < 1 || maxWork < 1 || maxHintChars < 0) {
      throw new IllegalArgumentException("schema limits must be positive");
    }
  }
}
