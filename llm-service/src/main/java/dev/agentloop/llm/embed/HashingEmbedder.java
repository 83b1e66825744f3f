package dev.agentloop.llm.embed;

import dev.agentloop.contract.ApiException;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code mock-embed} model: deterministic, L2-normalised vectors by a signed hashing-trick bag
 * of words. Each lower-cased word (and, with a smaller weight, each character trigram of it) adds
 * ±weight at one position in each of several bands ({@code [0,16)}, {@code [16,64)},
 * {@code [64,256)}, {@code [256,1024)}, the rest), so texts that share words point the same way,
 * and a prefix of the vector (as {@code dimensions} asks) still holds every word. Token-id inputs
 * hash each id as a pseudo-word. Work is linear in the input, which is bounded by the limits given.
 */
public final class HashingEmbedder {

  private static final float WORD_WEIGHT = 1.0f;
  private static final float COMMON_WORD_WEIGHT = 0.25f;
  private static final float TRIGRAM_WEIGHT = 0.3f;
  private static final int[] BAND_STARTS = {0, 16, 64, 256, 1024};
  private static final long TOKEN_SALT = 0x9E3779B97F4A7C15L;
  private static final Set<String> COMMON = Set.of("a", "an", "the", "and", "or", "of", "in", "on", "at", "to",
      "for", "from", "by", "with", "is", "are", "was", "were", "be", "it", "its", "this", "that", "as", "i", "you",
      "we", "they", "he", "she", "do", "does", "what", "how", "not", "no");

  private final int dimensions;
  private final int maxInputChars;
  private final int maxInputTokens;

  public HashingEmbedder(int dimensions, int maxInputChars, int maxInputTokens) {
    if (dimensions < 1 || maxInputChars < 1 || maxInputTokens < 1) {
      throw new IllegalArgumentException("dimensions and input limits must be positive");
    }
    this.dimensions = dimensions;
    this.maxInputChars = maxInputChars;
    this.maxInputTokens = maxInputTokens;
  }

  public int dimensions() {
    return dimensions;
  }

  public float[] embed(String text) {
    if (text.length() > maxInputChars) {
      throw ApiException.badRequest("Invalid 'input': string too long. Expected a string with maximum length "
          + maxInputChars + ", but got a string with length " + text.length() + " instead.", "input");
    }
    float[] vector = new float[dimensions];
    String lower = text.toLowerCase(Locale.ROOT);
    int i = 0;
    while (i < lower.length()) {
      int c = lower.codePointAt(i);
      if (!Character.isLetterOrDigit(c)) {
        i += Character.charCount(c);
        continue;
      }
      int start = i;
      while (i < lower.length() && Character.isLetterOrDigit(lower.codePointAt(i))) {
        i += Character.charCount(lower.codePointAt(i));
      }
      word(lower, start, i, vector);
    }
    return normalised(vector, hash(lower, 0, lower.length(), 0));
  }

  public float[] embed(int[] tokenIds) {
    if (tokenIds.length > maxInputTokens) {
      throw ApiException.badRequest("Invalid 'input': array too long. Expected an array with maximum length "
          + maxInputTokens + ", but got an array with length " + tokenIds.length + " instead.", "input");
    }
    float[] vector = new float[dimensions];
    long all = TOKEN_SALT;
    for (int id : tokenIds) {
      long h = mix(TOKEN_SALT ^ id);
      add(vector, h, WORD_WEIGHT);
      all = mix(all ^ h);
    }
    return normalised(vector, all);
  }

  /**
   * The first {@code dimensions} components re-normalised, as text-embedding-3 models shorten
   * their vectors.
   */
  public static float[] shorten(float[] vector, int dimensions) {
    if (dimensions < 1 || dimensions > vector.length) {
      throw ApiException.badRequest("Invalid 'dimensions': expected an integer from 1 to " + vector.length
          + ", but got " + dimensions + ".", "dimensions");
    }
    float[] shorter = new float[dimensions];
    System.arraycopy(vector, 0, shorter, 0, dimensions);
    return normalised(shorter, dimensions);
  }

  private void word(String text, int start, int end, float[] vector) {
    boolean common = end - start <= 4 && COMMON.contains(text.substring(start, end));
    add(vector, hash(text, start, end, 0), common ? COMMON_WORD_WEIGHT : WORD_WEIGHT);
    if (common || end - start < 3) {
      return;
    }
    // trigrams of "^word$": the markers are hashed as positions -1 and end
    for (int i = start - 1; i + 2 <= end; i++) {
      add(vector, trigram(text, i, start, end), TRIGRAM_WEIGHT);
    }
  }

  private static long trigram(String text, int from, int start, int end) {
    long h = 0xcbf29ce484222325L ^ 3;
    for (int i = from; i < from + 3; i++) {
      char c = i < start ? '^' : i >= end ? '$' : text.charAt(i);
      h = (h ^ c) * 0x100000001b3L;
    }
    return mix(h);
  }

  private static long hash(String text, int start, int end, long salt) {
    long h = 0xcbf29ce484222325L ^ salt;
    for (int i = start; i < end; i++) {
      h = (h ^ text.charAt(i)) * 0x100000001b3L;
    }
    return mix(h);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** Adds ±weight at one position per band; each band's position and sign come from its own hash. */
  private void add(float[] vector, long feature, float weight) {
    for (int band = 0; band < BAND_STARTS.length && BAND_STARTS[band] < dimensions; band++) {
      int from = BAND_STARTS[band];
      int to = band + 1 < BAND_STARTS.length ? Math.min(BAND_STARTS[band + 1], dimensions) : dimensions;
      long h = mix(feature + band * TOKEN_SALT);
      int position = from + (int) Long.remainderUnsigned(h >>> 1, to - from);
      vector[position] += (h & 1) == 0 ? weight : -weight;
    }
  }

  /** Unit length; a vector with nothing in it gets one deterministic unit component. */
  private static float[] normalised(float[] vector, long fallback) {
    double sum = 0;
    for (float v : vector) {
      sum += (double) v * v;
    }
    if (sum == 0) {
      vector[(int) Long.remainderUnsigned(fallback, vector.length)] = 1f;
      return vector;
    }
    float scale = (float) (1 / Math.sqrt(sum));
    for (int i = 0; i < vector.length; i++) {
      vector[i] *= scale;
    }
    return vector;
  }
}
