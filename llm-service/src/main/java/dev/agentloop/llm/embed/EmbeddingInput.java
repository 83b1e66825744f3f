package dev.agentloop.llm.embed;

import dev.agentloop.contract.ApiException;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;

/**
 * One input of an embeddings request: a text or a list of token ids. {@link #parse} reads the
 * request's {@code input} in any of its four shapes (a string, strings, token ids, lists of token
 * ids) and rejects what OpenAI rejects, with its error shape.
 */
public sealed interface EmbeddingInput {

  record Text(String text) implements EmbeddingInput {
  }

  record Tokens(int[] ids) implements EmbeddingInput {
  }

  /** What the embedder makes of this input. */
  default float[] embed(HashingEmbedder embedder) {
    return switch (this) {
      case Text text -> embedder.embed(text.text());
      case Tokens tokens -> embedder.embed(tokens.ids());
    };
  }

  /**
   * The inputs of a request, checked: at most {@code maxInputs}, none empty, none longer than
   * {@code maxInputChars} characters or {@code maxInputTokens} ids.
   */
  static List<EmbeddingInput> parse(Object input, int maxInputs, int maxInputChars, int maxInputTokens) {
    if (input == null) {
      throw ApiException.badRequest("Missing required parameter: 'input'.", "input", "missing_required_parameter");
    }
    if (input instanceof String text) {
      return List.of(text("input", text, maxInputChars));
    }
    if (!(input instanceof JsonArray array)) {
      throw invalidType("input");
    }
    if (array.isEmpty()) {
      throw ApiException.badRequest("Invalid 'input': empty array. Expected an array with minimum length 1, but got an "
          + "empty array instead.", "input");
    }
    if (array.getValue(0) instanceof Number) {
      return List.of(tokens("input", array, maxInputTokens));
    }
    if (array.size() > maxInputs) {
      throw ApiException.badRequest("Invalid 'input': array too long. Expected an array with maximum length " + maxInputs
          + ", but got an array with length " + array.size() + " instead.", "input");
    }
    List<EmbeddingInput> inputs = new ArrayList<>(array.size());
    boolean texts = array.getValue(0) instanceof String;
    for (int i = 0; i < array.size(); i++) {
      String param = "input[" + i + "]";
      Object item = array.getValue(i);
      if (texts && item instanceof String text) {
        inputs.add(text(param, text, maxInputChars));
      } else if (!texts && item instanceof JsonArray ids) {
        if (ids.isEmpty()) {
          throw ApiException.badRequest("Invalid '" + param + "': empty array. Expected an array with minimum length 1, "
              + "but got an empty array instead.", param);
        }
        inputs.add(tokens(param, ids, maxInputTokens));
      } else {
        throw invalidType(param);
      }
    }
    return inputs;
  }

  private static Text text(String param, String text, int maxInputChars) {
    if (text.isEmpty()) {
      throw ApiException.badRequest("Invalid '" + param + "': empty string. Expected a string with minimum length 1, "
          + "but got an empty string instead.", param);
    }
    if (text.length() > maxInputChars) {
      throw ApiException.badRequest("Invalid '" + param + "': string too long. Expected a string with maximum length "
          + maxInputChars + ", but got a string with length " + text.length() + " instead.", param);
    }
    return new Text(text);
  }

  private static Tokens tokens(String param, JsonArray array, int maxInputTokens) {
    if (array.size() > maxInputTokens) {
      throw ApiException.badRequest("Invalid '" + param + "': array too long. Expected an array with maximum length "
          + maxInputTokens + ", but got an array with length " + array.size() + " instead.", param);
    }
    int[] ids = new int[array.size()];
    for (int i = 0; i < ids.length; i++) {
      Object id = array.getValue(i);
      if (!(id instanceof Integer || id instanceof Long) || ((Number) id).longValue() < 0
          || ((Number) id).longValue() > Integer.MAX_VALUE) {
        throw ApiException.badRequest("Invalid '" + param + "[" + i + "]': expected a non-negative integer token id.",
            param + "[" + i + "]", "invalid_type");
      }
      ids[i] = ((Number) id).intValue();
    }
    return new Tokens(ids);
  }

  private static ApiException invalidType(String param) {
    return ApiException.badRequest("Invalid type for '" + param + "': expected a string, an array of strings, an array "
        + "of token ids or an array of token-id arrays.", param, "invalid_type");
  }
}
