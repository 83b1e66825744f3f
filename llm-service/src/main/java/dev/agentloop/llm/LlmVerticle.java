package dev.agentloop.llm;

import dev.agentloop.contract.Services;
import dev.agentloop.contract.stream.DeltaCollector;
import dev.agentloop.contract.stream.DeltaSink;
import dev.agentloop.contract.Addresses;
import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.node.Node;
import dev.agentloop.contract.chat.ChatRequest;
import dev.agentloop.front.openai.ChatWire;
import dev.agentloop.contract.stream.TokenStreamProducer;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mock LLM on the event bus: whole completions, token streams, embeddings, the model list,
 * cancel and ping. Every malformed message gets a failure reply; nothing a sender does can crash it.
 *
 * <p>Stopping it is a graceful leave: it first unregisters its request consumers, so new work goes to
 * the other instances in the cluster, then lets the generations and streams it runs finish (bounded
 * by the shutdown grace period) before the node goes away.
 */
public final class LlmVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(LlmVerticle.class);
  private static final long MODELS_CREATED = 1_735_689_600L; // fixed, so the list is deterministic

  private final Map<String, Runnable> cancels = new HashMap<>();
  private final LlmConfig config;
  private final int maxTokensLimit;
  private final long graceMs;
  private final String node;
  private final LlmMetrics metrics;
  private List<MessageConsumer<Object>> requestConsumers = List.of();
  private EmbedRequests embeddings;
  private int busy;
  private Promise<Void> idle;

  /**
   * {@code maxTokensLimit} is the fronts' ({@code gateway.max_tokens_limit}), so a request the bus
   * carries is checked as the HTTP fronts check it; {@code graceMs} bounds the graceful leave.
   */
  public LlmVerticle(LlmConfig config, int maxTokensLimit, long graceMs, Node node, LlmMetrics metrics) {
    this.config = config;
    this.maxTokensLimit = maxTokensLimit;
    this.graceMs = graceMs;
    this.node = node.id();
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    embeddings = new EmbedRequests(vertx, config.embeddings(), metrics);
    requestConsumers = List.of(
        bus.consumer(Addresses.LLM_EMBED, message -> track(embeddings.handle(message))),
        bus.consumer(Addresses.LLM_STREAM, this::guarded),
        bus.consumer(Addresses.LLM_COMPLETE, this::guarded),
        bus.consumer(Addresses.LLM_MODELS, this::models),
        bus.consumer(Addresses.LLM_PING, msg -> msg.reply(new JsonObject().put("service", "llm")
            .put("node", node).put("models", config.models().size()))));
    MessageConsumer<Object> cancel = bus.consumer(Addresses.LLM_CANCEL, this::cancel);
    return Future.all(requestConsumers.stream().map(MessageConsumer::completion).toList())
        .compose(v -> cancel.completion());
  }

  /**
   * Stops taking work (unregisters everything but cancel), then waits until the generations and
   * streams of this instance are over, or the grace period has passed.
   */
  @Override
  public Future<?> stop() {
    vertx.eventBus().publish(Addresses.LLM_LEAVING, new JsonObject().put("node", node));
    return Future.join(requestConsumers.stream().map(MessageConsumer::unregister).toList())
        .transform(v -> whenIdle(graceMs))
        .transform(v -> embeddings != null ? embeddings.close() : Future.succeededFuture());
  }

  private Future<Void> whenIdle(long graceMs) {
    if (busy == 0) {
      return Future.succeededFuture();
    }
    idle = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, graceMs), t -> {
      if (idle.tryComplete()) {
        LOG.warn("llm-service: {} generation(s) still running after the {} ms grace period; stopping them", busy,
            graceMs);
      }
    });
    return idle.future().onComplete(v -> vertx.cancelTimer(timer));
  }

  /** Generations running in this instance. */
  int running() {
    return cancels.size();
  }

  private void track(Future<?> work) {
    busy++;
    work.onComplete(v -> {
      busy--;
      if (busy == 0 && idle != null) {
        idle.tryComplete();
      }
    });
  }

  private void guarded(Message<Object> message) {
    try {
      if (Addresses.LLM_STREAM.equals(message.address())) {
        stream(message);
      } else {
        complete(message);
      }
    } catch (ApiException e) {
      e.failReply(message);
    } catch (RuntimeException e) {
      LOG.warn("Refused a malformed message on {}: {}", message.address(), e.toString());
      ApiException.badRequest("Malformed request: " + e.getMessage(), null).failReply(message);
    }
  }

  private void stream(Message<Object> message) {
    ChatRequest request = ChatRequest.fromBus(message.body(), maxTokensLimit);
    ModelSpec model = model(request);
    Plan plan = MockAnswer.of(model, request); // a schema it cannot use is a 400 before the stream opens
    TokenStreamProducer producer = new TokenStreamProducer(message, config.maxBatchTokens(), config.ackTimeoutMs());
    String id = idOf(request);
    Generation generation = run(id, request, model, plan, producer);
    track(producer.closed()); // not the generation: its last batch may still wait for an ack
    producer.goneHandler(generation::stop);
    cancels.put(id, () -> {
      producer.cancelled();
      generation.stop();
    });
  }

  private void complete(Message<Object> message) {
    ChatRequest request = ChatRequest.fromBus(message.body(), maxTokensLimit);
    ModelSpec model = model(request);
    Plan plan = MockAnswer.of(model, request);
    DeltaCollector answer = new DeltaCollector();
    track(run(idOf(request), request, model, plan, answer).ended());
    answer.result().onComplete(ar -> {
      if (ar.succeeded()) {
        JsonObject reply = new JsonObject().put("model", model.id()).put("content", answer.answer().content(0))
            .put("finish_reason", ar.result().finishReason()).put("usage", ar.result().usage());
        if (!answer.answer().toolCalls(0).isEmpty()) {
          reply.put("tool_calls", answer.answer().toolCalls(0));
        }
        message.reply(reply);
      } else {
        ApiException.from(ar.cause(), Services.LLM_SERVICE).failReply(message);
      }
    });
  }

  private static String idOf(ChatRequest request) {
    return request.id() != null ? request.id() : UUID.randomUUID().toString();
  }

  private Generation run(String id, ChatRequest request, ModelSpec model, Plan plan, DeltaSink sink) {
    Generation generation = new Generation(vertx, model, request, plan, sink, metrics.tokens(model.id()), outcome -> {
      cancels.remove(id);
      metrics.ended(model.id(), outcome);
    });
    cancels.put(id, generation::stop);
    metrics.started();
    generation.start();
    return generation;
  }

  private ModelSpec model(ChatRequest request) {
    ModelSpec model = config.model(request.model());
    if (model == null) {
      throw ApiException.modelNotFound(request.model());
    }
    return model;
  }

  private void models(Message<Object> message) {
    JsonArray data = new JsonArray();
    config.allModelIds().forEach(id -> data.add(ChatWire.model(id, MODELS_CREATED)));
    message.reply(new JsonObject().put("data", data));
  }

  private void cancel(Message<Object> message) {
    if (message.body() instanceof JsonObject body && body.getValue("id") instanceof String id) {
      Runnable cancel = cancels.get(id);
      if (cancel != null) {
        cancel.run();
      }
    }
  }
}
