package dev.agentloop.llm.embed;

import io.vertx.core.json.JsonArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;

/** The two {@code encoding_format}s of an embedding: a JSON array of floats, or base64 of little-endian float32. */
public final class EmbeddingCodec {

  private EmbeddingCodec() {
  }

  /** What the official SDKs decode for {@code encoding_format: "base64"}. */
  public static String base64(float[] vector) {
    ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(vector);
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  /** The floats as JSON numbers, each written with the shortest text that reads back as the same float. */
  public static JsonArray floats(float[] vector) {
    JsonArray array = new JsonArray(new ArrayList<>(vector.length));
    for (float v : vector) {
      array.add(Double.parseDouble(Float.toString(v)));
    }
    return array;
  }

  /**
   * The floats as a JSON array appended to {@code out}, each the shortest text that reads back as
   * the same float: the text {@link #floats} gives, written directly (several times faster than
   * boxing each float into a JSON tree, which matters at 2048 × 1536 floats).
   */
  public static StringBuilder appendFloats(StringBuilder out, float[] vector) {
    out.append('[');
    for (int i = 0; i < vector.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(vector[i]);
    }
    return out.append(']');
  }
}
