package dev.agentloop.llm;

import dev.agentloop.common.Addresses;
import dev.agentloop.common.ApiException;
import dev.agentloop.common.metrics.Metrics;
import dev.agentloop.common.openai.ChatRequest;
import dev.agentloop.common.openai.ChatWire;
import dev.agentloop.common.stream.TokenStreamProducer;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mock LLM on the event bus: whole completions, token streams, the model list, cancel and
 * ping. Every malformed message gets a failure reply; nothing a sender does can crash it.
 */
public final class LlmVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(LlmVerticle.class);
  private static final long MODELS_CREATED = 1_735_689_600L; // fixed, so the list is deterministic

  private final Map<String, Runnable> cancels = new HashMap<>();
  private LlmConfig config;
  private LlmMetrics metrics;

  @Override
  public Future<?> start() {
    config = LlmConfig.from(config());
    metrics = LlmMetrics.of(Metrics.registry(config()));
    EventBus bus = vertx.eventBus();
    return Future.all(
        bus.consumer(Addresses.LLM_STREAM, this::guarded).completion(),
        bus.consumer(Addresses.LLM_COMPLETE, this::guarded).completion(),
        bus.consumer(Addresses.LLM_MODELS, this::models).completion(),
        bus.<Object>consumer(Addresses.LLM_CANCEL, this::cancel).completion(),
        bus.consumer(Addresses.LLM_PING, msg -> msg.reply(new JsonObject().put("service", "llm")
            .put("models", config.models().size()))).completion());
  }

  /** Generations running in this instance. */
  int running() {
    return cancels.size();
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
    ChatRequest request = ChatRequest.fromBus(message.body());
    ModelSpec model = model(request);
    TokenStreamProducer producer = new TokenStreamProducer(message, config.maxBatchTokens(), config.ackTimeoutMs());
    Counter tokens = metrics.tokens(model.id());
    Generation.Sink sink = new Generation.Sink() {
      @Override
      public void write(String token) {
        tokens.increment();
        producer.write(token);
      }

      @Override
      public boolean writeQueueFull() {
        return producer.writeQueueFull();
      }

      @Override
      public void drainHandler(Runnable handler) {
        producer.drainHandler(handler);
      }

      @Override
      public void end(String finishReason, JsonObject usage) {
        producer.end(finishReason, usage);
      }

      @Override
      public void fail(ApiException error) {
        producer.fail(error);
      }
    };
    String id = idOf(request);
    Generation generation = run(id, request, model, sink);
    producer.goneHandler(generation::stop);
    cancels.put(id, () -> {
      producer.cancelled();
      generation.stop();
    });
  }

  private void complete(Message<Object> message) {
    ChatRequest request = ChatRequest.fromBus(message.body());
    ModelSpec model = model(request);
    Counter tokens = metrics.tokens(model.id());
    StringBuilder content = new StringBuilder();
    run(idOf(request), request, model, new Generation.Sink() {
      @Override
      public void write(String token) {
        tokens.increment();
        content.append(token);
      }

      @Override
      public boolean writeQueueFull() {
        return false;
      }

      @Override
      public void drainHandler(Runnable handler) {
      }

      @Override
      public void end(String finishReason, JsonObject usage) {
        message.reply(new JsonObject().put("model", model.id()).put("content", content.toString())
            .put("finish_reason", finishReason).put("usage", usage));
      }

      @Override
      public void fail(ApiException error) {
        error.failReply(message);
      }
    });
  }

  private static String idOf(ChatRequest request) {
    return request.id() != null ? request.id() : UUID.randomUUID().toString();
  }

  private Generation run(String id, ChatRequest request, ModelSpec model, Generation.Sink sink) {
    Generation generation = new Generation(vertx, model, request, sink, outcome -> {
      cancels.remove(id);
      metrics.ended(model.id(), outcome);
    });
    cancels.put(id, generation::stop);
    metrics.started();
    generation.start();
    return generation;
  }

  private ModelSpec model(ChatRequest request) {
    ModelSpec model = config.models().get(request.model());
    if (model == null) {
      throw ApiException.modelNotFound(request.model());
    }
    return model;
  }

  private void models(Message<Object> message) {
    JsonArray data = new JsonArray();
    config.modelIds().forEach(id -> data.add(ChatWire.model(id, MODELS_CREATED)));
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
