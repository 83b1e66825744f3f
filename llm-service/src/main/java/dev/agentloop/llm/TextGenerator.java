package dev.agentloop.llm;

import dev.agentloop.contract.chat.ChatRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The mock's text: deterministic for a model, messages and {@code max_tokens}. A token is a word
 * with its leading space. Echo models return the words of the last user message, cycled when
 * {@code max_tokens} asks for more.
 *
 * <p>Everything here reads the client's text once, left to right, without splitting or
 * re-encoding it: the seed mixes the messages as they are, words are counted in place, and echo
 * words are cut from the text one at a time as they are sent.
 */
final class TextGenerator {

  private static final String[] WORDS = ("the a an agent loop event token stream model answer request reply message "
      + "future promise verticle thread bus cluster node gateway server client latency throughput buffer queue "
      + "timer signal state value result error retry timeout fallback circuit breaker storage record file "
      + "database query row column index page cursor batch job task plan tool call step output input "
      + "quick steady simple careful eager lazy bounded concurrent parallel async ordered durable "
      + "runs waits returns sends receives writes reads holds frees spreads measures streams answers "
      + "while before after because until when then so and but with without over under into from").split(" ");
  /** How deep the seed looks into nested JSON; deeper values count by their kind only. */
  private static final int SEED_DEPTH = 64;

  private final SplittableRandom random;
  private final Words echo;
  private final int total;
  private int produced;
  private int sentenceLeft;

  private TextGenerator(SplittableRandom random, Words echo, int total) {
    this.random = random;
    this.echo = echo;
    this.total = total;
  }

  static TextGenerator of(ModelSpec model, ChatRequest request) {
    return of(model, request, 0);
  }

  /** {@code salt} (0 for the plain text) picks another deterministic text: a seed, another choice. */
  static TextGenerator of(ModelSpec model, ChatRequest request, long salt) {
    if (model.echo()) {
      Words words = new Words(ChatRequest.lastUserText(request.messages()));
      int count = words.count();
      int total = count == 0 ? 0 : request.maxTokens() != null ? request.maxTokens() : count;
      return new TextGenerator(null, words, total);
    }
    int total = request.maxTokens() != null ? request.maxTokens() : model.tokens();
    return new TextGenerator(new SplittableRandom(seedOf(model, request) ^ salt), null, total);
  }

  /** The seed of a request's text: its model, messages and {@code max_tokens}. */
  static long seedOf(ModelSpec model, ChatRequest request) {
    long seed = 0x9E3779B97F4A7C15L ^ model.id().hashCode();
    seed = mix(seed, request.messages(), 0);
    return seed ^ (request.maxTokens() == null ? -1 : request.maxTokens()) * 0xC2B2AE3D27D4EB4FL;
  }

  int total() {
    return total;
  }

  boolean hasNext() {
    return produced < total;
  }

  /** {@code "length"} when max_tokens cut the answer, {@code "stop"} otherwise. */
  static String finishReason(ChatRequest request) {
    return request.maxTokens() != null ? "length" : "stop";
  }

  String next() {
    String word;
    if (echo != null) {
      word = echo.next();
    } else {
      boolean sentenceStart = sentenceLeft == 0;
      if (sentenceStart) {
        sentenceLeft = 5 + random.nextInt(10);
      }
      word = WORDS[random.nextInt(WORDS.length)];
      if (sentenceStart) {
        word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
      }
      sentenceLeft--;
      if (sentenceLeft == 0 || produced == total - 1) {
        word = word + ".";
      }
    }
    String token = produced == 0 ? word : " " + word;
    produced++;
    return token;
  }

  /** Words of every message, plus 3 per message, plus 3. */
  static int promptTokens(JsonArray messages) {
    int count = 3;
    for (Object m : messages) {
      count += 3 + new Words(ChatRequest.text((JsonObject) m)).count();
    }
    return count;
  }

  private static long mix(long h, Object value, int depth) {
    if (value instanceof JsonObject object) {
      h = step(h, '{');
      if (depth < SEED_DEPTH) {
        for (Map.Entry<String, Object> field : object) {
          h = mix(step(mixChars(h, field.getKey()), ':'), field.getValue(), depth + 1);
        }
      }
      return step(h, '}');
    }
    if (value instanceof JsonArray array) {
      h = step(h, '[');
      if (depth < SEED_DEPTH) {
        for (Object item : array) {
          h = mix(step(h, ','), item, depth + 1);
        }
      }
      return step(h, ']');
    }
    if (value instanceof String text) {
      return step(mixChars(step(h, '"'), text), '"');
    }
    return value == null ? step(h, 'n') : mixChars(step(h, '#'), String.valueOf(value));
  }

  private static long mixChars(long h, String text) {
    for (int i = 0; i < text.length(); i++) {
      h = step(h, text.charAt(i));
    }
    return h;
  }

  private static long step(long h, char c) {
    return (h ^ c) * 0x100000001B3L;
  }

  /**
   * The words of a text as {@code text.trim().split("\\s+")} would give them, counted and cut in
   * place: runs of characters other than space, tab, newline, vertical tab, form feed and carriage
   * return, inside the text without its leading and trailing control characters and spaces.
   */
  static final class Words {
    private final String text;
    private final int from;
    private final int to;
    private int cursor;

    Words(String text) {
      int lo = 0;
      int hi = text.length();
      while (lo < hi && text.charAt(lo) <= ' ') {
        lo++;
      }
      while (hi > lo && text.charAt(hi - 1) <= ' ') {
        hi--;
      }
      this.text = text;
      this.from = lo;
      this.to = hi;
      this.cursor = lo;
    }

    int count() {
      int words = 0;
      boolean inWord = false;
      for (int i = from; i < to; i++) {
        boolean separator = separator(text.charAt(i));
        if (!separator && !inWord) {
          words++;
        }
        inWord = !separator;
      }
      return words;
    }

    /** The next word, starting over after the last one; only call when {@link #count()} is positive. */
    String next() {
      if (cursor >= to) {
        cursor = from;
      }
      while (separator(text.charAt(cursor))) {
        cursor++;
      }
      int start = cursor;
      while (cursor < to && !separator(text.charAt(cursor))) {
        cursor++;
      }
      return text.substring(start, cursor);
    }

    private static boolean separator(char c) {
      return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }
  }
}
