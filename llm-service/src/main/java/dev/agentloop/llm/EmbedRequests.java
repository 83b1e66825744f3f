package dev.agentloop.llm;

import dev.agentloop.contract.ApiException;
import dev.agentloop.llm.embed.EmbeddingCodec;
import dev.agentloop.llm.embed.EmbeddingConfig;
import dev.agentloop.llm.embed.EmbeddingInput;
import dev.agentloop.llm.embed.HashingEmbedder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code agentloop.llm.embed} requests of one llm instance. The request is checked on the event
 * loop (cheap: one pass over the inputs); the vectors and the JSON text of the answer (a 2048-input
 * batch of 1536 floats is some 36 MB of text) are made on the shared {@code agentloop-embed} worker
 * pool, and at most {@code max_pending} requests wait or run there at once.
 */
final class EmbedRequests {

  /** The worker pool's name, shared by the llm instances of a process. */
  static final String POOL = "agentloop-embed";

  private record Checked(String model, List<EmbeddingInput> inputs, int dimensions, boolean base64,
      HashingEmbedder embedder) {
  }

  private final EmbeddingConfig config;
  private final LlmMetrics metrics;
  private final WorkerExecutor workers;
  private final Map<String, HashingEmbedder> embedders = new HashMap<>();
  private int pending;

  EmbedRequests(Vertx vertx, EmbeddingConfig config, LlmMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
    this.workers = vertx.createSharedWorkerExecutor(POOL, config.workerThreads());
    config.models().forEach((id, dimensions) -> embedders.put(id,
        new HashingEmbedder(dimensions, config.maxInputChars(), config.maxInputTokens())));
  }

  /** Answers {@code message}: the response body, or a failure reply in OpenAI's shape. Completes when answered. */
  Future<Void> handle(Message<Object> message) {
    Checked request;
    try {
      request = check(message.body());
      if (pending >= config.maxPending()) {
        throw ApiException.tooManyRequests("Too many embedding requests at once; try again shortly.", 1);
      }
    } catch (ApiException e) {
      e.failReply(message);
      return Future.succeededFuture();
    } catch (RuntimeException e) {
      ApiException.badRequest("Malformed request: " + e.getMessage(), null).failReply(message);
      return Future.succeededFuture();
    }
    pending++;
    metrics.embedded(request.model(), request.inputs().size());
    return workers.executeBlocking(() -> answer(request), false).andThen(ar -> {
      pending--;
      if (ar.succeeded()) {
        metrics.embeddingTokens(request.model(), ar.result().tokens);
        message.reply(ar.result().body, new DeliveryOptions().addHeader("model", request.model())
            .addHeader("inputs", String.valueOf(request.inputs().size()))
            .addHeader("prompt_tokens", String.valueOf(ar.result().tokens)));
      } else {
        ApiException.from(ar.cause(), "llm-service").failReply(message);
      }
    }).mapEmpty();
  }

  Future<Void> close() {
    return workers.close();
  }

  private Checked check(Object body) {
    if (!(body instanceof JsonObject json)) {
      throw ApiException.badRequest("The request body must be a JSON object.", null);
    }
    Object model = json.getValue("model");
    if (model == null) {
      throw ApiException.badRequest("Missing required parameter: 'model'.", "model", "missing_required_parameter");
    }
    if (!(model instanceof String id)) {
      throw ApiException.badRequest("Invalid type for 'model': expected a string.", "model", "invalid_type");
    }
    HashingEmbedder embedder = embedders.get(id);
    if (embedder == null) {
      throw ApiException.modelNotFound(id);
    }
    boolean base64 = base64(json.getValue("encoding_format"));
    int dimensions = dimensions(json.getValue("dimensions"), embedder.dimensions());
    List<EmbeddingInput> inputs = EmbeddingInput.parse(json.getValue("input"), config.maxInputs(),
        config.maxInputChars(), config.maxInputTokens());
    return new Checked(id, inputs, dimensions, base64, embedder);
  }

  private static boolean base64(Object format) {
    if (format == null || "float".equals(format)) {
      return false;
    }
    if ("base64".equals(format)) {
      return true;
    }
    throw ApiException.badRequest("Invalid value for 'encoding_format': " + format
        + ". Supported values are: 'float' and 'base64'.", "encoding_format", "invalid_value");
  }

  private static int dimensions(Object value, int most) {
    if (value == null) {
      return most;
    }
    if (!(value instanceof Integer || value instanceof Long)) {
      throw ApiException.badRequest("Invalid type for 'dimensions': expected an integer.", "dimensions",
          "invalid_type");
    }
    long asked = ((Number) value).longValue();
    if (asked < 1 || asked > most) {
      throw ApiException.badRequest("Invalid 'dimensions': expected an integer from 1 to " + most + ", but got "
          + asked + ".", "dimensions", "invalid_value");
    }
    return (int) asked;
  }

  private record Answer(Buffer body, int tokens) {
  }

  /** On a worker: the vectors, and the response body as JSON text (written directly: no tree of boxed floats). */
  private static Answer answer(Checked request) {
    int inputs = request.inputs().size();
    long estimate = (long) inputs * request.dimensions() * (request.base64() ? 6 : 12) + 256;
    StringBuilder out = new StringBuilder((int) Math.min(estimate, 64L << 20));
    out.append("{\"object\":\"list\",\"data\":[");
    int tokens = 0;
    for (int i = 0; i < inputs; i++) {
      EmbeddingInput input = request.inputs().get(i);
      float[] vector = input.embed(request.embedder());
      if (request.dimensions() < vector.length) {
        vector = HashingEmbedder.shorten(vector, request.dimensions());
      }
      tokens += switch (input) {
        case EmbeddingInput.Text text -> new TextGenerator.Words(text.text()).count();
        case EmbeddingInput.Tokens ids -> ids.ids().length;
      };
      out.append(i == 0 ? "" : ",").append("{\"object\":\"embedding\",\"index\":").append(i)
          .append(",\"embedding\":");
      if (request.base64()) {
        out.append('"').append(EmbeddingCodec.base64(vector)).append('"'); // the base64 alphabet needs no escaping
      } else {
        EmbeddingCodec.appendFloats(out, vector);
      }
      out.append('}');
    }
    out.append("],\"model\":").append(Json.encode(request.model())).append(",\"usage\":{\"prompt_tokens\":")
        .append(tokens).append(",\"total_tokens\":").append(tokens).append("}}");
    return new Answer(Buffer.buffer(out.toString()), tokens);
  }
}
