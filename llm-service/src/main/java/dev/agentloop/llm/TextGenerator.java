package dev.agentloop.llm;

import dev.agentloop.common.openai.ChatRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.SplittableRandom;

/**
 * The mock's text: deterministic for a model, messages and {@code max_tokens}. A token is a word
 * with its leading space. Echo models return the words of the last user message, cycled when
 * {@code max_tokens} asks for more.
 */
final class TextGenerator {

  private static final String[] WORDS = ("the a an agent loop event token stream model answer request reply message "
      + "future promise verticle thread bus cluster node gateway server client latency throughput buffer queue "
      + "timer signal state value result error retry timeout fallback circuit breaker storage record file "
      + "database query row column index page cursor batch job task plan tool call step output input "
      + "quick steady simple careful eager lazy bounded concurrent parallel async ordered durable "
      + "runs waits returns sends receives writes reads holds frees spreads measures streams answers "
      + "while before after because until when then so and but with without over under into from").split(" ");

  private final SplittableRandom random;
  private final String[] echoWords;
  private final int total;
  private int produced;
  private int sentenceLeft;

  private TextGenerator(SplittableRandom random, String[] echoWords, int total) {
    this.random = random;
    this.echoWords = echoWords;
    this.total = total;
  }

  static TextGenerator of(ModelSpec model, ChatRequest request) {
    if (model.echo()) {
      String[] words = ChatRequest.lastUserText(request.messages()).trim().split("\\s+");
      if (words.length == 1 && words[0].isEmpty()) {
        words = new String[0];
      }
      int total = words.length == 0 ? 0 : request.maxTokens() != null ? request.maxTokens() : words.length;
      return new TextGenerator(null, words, total);
    }
    int total = request.maxTokens() != null ? request.maxTokens() : model.tokens();
    long seed = mix(model.id().hashCode(), request.messages().encode(), request.maxTokens() == null ? -1 : request.maxTokens());
    return new TextGenerator(new SplittableRandom(seed), null, total);
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
    if (echoWords != null) {
      word = echoWords[produced % echoWords.length];
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

  static int promptTokens(JsonArray messages) {
    int count = 3;
    for (Object m : messages) {
      count += 3 + words(ChatRequest.text((JsonObject) m));
    }
    return count;
  }

  private static int words(String text) {
    String trimmed = text.trim();
    return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
  }

  private static long mix(int modelHash, String messages, int maxTokens) {
    long h = 0x9E3779B97F4A7C15L ^ modelHash;
    for (int i = 0; i < messages.length(); i++) {
      h = (h ^ messages.charAt(i)) * 0x100000001B3L;
    }
    h ^= maxTokens * 0xC2B2AE3D27D4EB4FL;
    return h;
  }
}
