package dev.agentloop.gateway.agent;

import dev.agentloop.contract.stream.Delta;
import dev.agentloop.contract.Addresses;
import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.chat.ChatRequest;
import dev.agentloop.contract.chat.ChatService;
import dev.agentloop.contract.chat.Completion;
import dev.agentloop.contract.node.Node;
import dev.agentloop.contract.storage.ConversationIds;
import dev.agentloop.contract.storage.Owners;
import dev.agentloop.front.ChatBodies;
import dev.agentloop.gateway.conversations.ConversationHistory;
import dev.agentloop.gateway.storage.StorageClient;
import dev.agentloop.gateway.chain.Breakers;
import dev.agentloop.gateway.chain.ResilientChatService;
import dev.agentloop.gateway.settings.GatewaySettings;
import dev.agentloop.contract.stream.TokenStreamProducer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent workflow, written top to bottom like an {@code async def} with {@code await}s: load the
 * conversation, ask the model for a plan, run the plan's tool calls concurrently, ask the model
 * for the answer. It must be deployed with {@code ThreadingModel.VIRTUAL_THREAD}: every message
 * then runs on its own virtual thread, and {@link Future#await()} parks that thread (not an event
 * loop) until the future completes, while other runs proceed.
 *
 * <p>A run answers over the stream protocol (JSON events): its steps as they finish when streamed,
 * and the run itself last (recorded first under the request's idempotency key, when it has one).
 * When its consumer goes away (a cancel, a published cancel, no ack), the run stops at its next
 * step and its model call in flight is cancelled.
 */
public final class AgentVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AgentVerticle.class);
  private static final int MAX_EVENTS = 64;
  private final Map<String, Run> runs = new HashMap<>(); // runs and cancels are tasks of this verticle's context
  private final GatewaySettings config;
  private final Node node;
  private final Breakers breakers;
  private ResilientChatService models;
  private MockTools tools;
  private ChatBodies bodies;
  private ConversationHistory history;
  private StorageClient storage;

  /** {@code breakers} are the node's, shared with the gateway and the jobs. */
  public AgentVerticle(GatewaySettings config, Node node, Breakers breakers) {
    this.config = config;
    this.node = node;
    this.breakers = breakers;
  }

  @Override
  public Future<?> start() {
    models = ResilientChatService.create(vertx, config::timeoutsFor, breakers, node.state());
    tools = new MockTools(vertx);
    bodies = new ChatBodies(config.limits());
    storage = new StorageClient(vertx);
    history = new ConversationHistory(storage, config.history(), config.limits());
    return Future.all(models.ready(),
        vertx.eventBus().<JsonObject>localConsumer(Addresses.AGENT_RUN, this::handle).completion(),
        vertx.eventBus().<JsonObject>localConsumer(Addresses.AGENT_CANCEL, message -> {
          Run run = runs.get(String.valueOf(message.body().getValue("id")));
          if (run != null) {
            run.cancel();
          }
        }).completion());
  }

  /**
   * A consumer delivers its next message only once its handler returns, also while the handler is
   * suspended in {@code await()}: so the run goes to a task of its own, and runs proceed side by side.
   */
  private void handle(Message<JsonObject> message) {
    context.runOnContext(v -> answer(message));
  }

  private void answer(Message<JsonObject> message) {
    TokenStreamProducer producer = new TokenStreamProducer(message, MAX_EVENTS, AgentRoutes.RUN_TIMEOUT_MS);
    JsonObject body = message.body() instanceof JsonObject json ? json : new JsonObject();
    String runId = body.getValue("id") instanceof String id ? id : "run_" + UUID.randomUUID().toString().replace("-", "");
    Run events = new Run(producer, Boolean.TRUE.equals(body.getValue("stream")));
    producer.goneHandler(events::cancel);
    if (runs.putIfAbsent(runId, events) != null) {
      producer.fail(ApiException.badRequest("A run with id `" + runId + "` is running already.", "id"));
      return;
    }
    try {
      String owner = Owners.scope(body.getValue("owner"));
      JsonObject run = run(runId, owner, AgentRequest.from(body, bodies), events);
      producer.write(Delta.event(record(body.getValue("idempotency"), run)));
      producer.end();
    } catch (ApiException e) {
      producer.fail(e);
    } catch (RuntimeException e) {
      LOG.warn("Agent run failed", e);
      producer.fail(ApiException.from(e, "agent"));
    } finally {
      runs.remove(runId, events);
    }
  }

  /**
   * A run with an idempotency key is recorded under it before the client gets it: then a retry gets
   * this run again. Answers the run to send: this one, or the first one of the key if another
   * request completed it meanwhile.
   */
  private JsonObject record(Object idempotency, JsonObject run) {
    if (!(idempotency instanceof JsonObject keyed)) {
      return run;
    }
    JsonObject recorded = storage.request(Addresses.STORAGE_IDEMPOTENCY_COMPLETE,
        keyed.copy().put("status", 200).put("body", run)).await();
    return recorded.getJsonObject("body", run);
  }

  /** One run, in plain sequential style; each {@code await()} suspends only this virtual thread. */
  private JsonObject run(String runId, String owner, AgentRequest request, Run events) {
    RunClock clock = new RunClock();
    JsonArray steps = new JsonArray();
    JsonArray messages = request.messages().copy();

    if (request.conversationId() != null) {
      double loadStart = clock.now();
      if (!ConversationIds.valid(request.conversationId())) {
        throw ApiException.badRequest("Invalid 'conversation_id': expected an id like 'conv_abc123'.",
            "conversation_id", "invalid_value");
      }
      JsonArray history = this.history.load(owner, request.conversationId(), messages.size()).await().messages();
      messages = history.copy().addAll(messages);
      steps.add(events.step(clock.step("load_conversation", loadStart).put("status", "completed")
          .put("conversation_id", request.conversationId()).put("messages_loaded", history.size())));
    }

    double planStart = clock.now();
    JsonArray planned = new JsonArray();
    request.toolCalls().forEach(call -> planned.add(call.toJson()));
    Completion plan = events.ask(request.model(), withSystem(messages,
        "Plan the steps to answer. Tools: " + MockTools.NAMES + ". Planned calls: " + planned.encode()));
    steps.add(events.step(clock.step("plan", planStart).put("model", plan.model()).put("output", plan.content())
        .put("tool_calls", planned)));

    double toolsStart = clock.now();
    List<Future<JsonObject>> running = new ArrayList<>();
    for (AgentRequest.ToolCall call : request.toolCalls()) {
      double started = clock.now();
      running.add(tools.call(call.name(), call.arguments())
          .map(result -> call.toJson().put("result", result))
          .otherwise(failure -> call.toJson().put("error", ApiException.from(failure, "tool").errorObject()))
          .map(done -> events.toolCall(done.put("started_ms", started).put("ended_ms", clock.now()))));
    }
    Future.join(running).await();
    events.check();
    JsonArray calls = new JsonArray();
    running.forEach(call -> calls.add(call.result()));
    steps.add(events.step(clock.step("tools", toolsStart).put("calls", calls)));

    messages.add(new JsonObject().put("role", "assistant").put("content", plan.content()));
    for (Object call : calls) {
      messages.add(new JsonObject().put("role", "user").put("content", "Tool result: " + ((JsonObject) call).encode()));
    }
    double answerStart = clock.now();
    Completion answer = events.ask(request.model(), messages);
    steps.add(events.step(clock.step("answer", answerStart).put("model", answer.model())
        .put("output", answer.content())));

    return new JsonObject()
        .put("id", runId)
        .put("object", "agent.run")
        .put("status", "completed")
        .put("model", answer.model())
        .put("answer", answer.content())
        .put("virtual_thread", Thread.currentThread().isVirtual())
        .put("total_ms", clock.now())
        .put("steps", steps);
  }

  private static JsonArray withSystem(JsonArray messages, String system) {
    return new JsonArray().add(new JsonObject().put("role", "system").put("content", system)).addAll(messages);
  }

  /**
   * One run's way out: its steps and tool calls as events when the run is streamed (waiting while the
   * consumer holds the stream back), and whether its consumer is gone, with the model call to cancel then.
   */
  private final class Run {
    private final TokenStreamProducer producer;
    private final boolean streamed;
    private boolean cancelled;
    private String asking;

    Run(TokenStreamProducer producer, boolean streamed) {
      this.producer = producer;
      this.streamed = streamed;
    }

    JsonObject step(JsonObject step) {
      publish(new JsonObject().put("object", "agent.run.step").put("step", step));
      return step;
    }

    JsonObject toolCall(JsonObject call) {
      publish(new JsonObject().put("object", "agent.run.tool_call").put("tool_call", call));
      return call;
    }

    /** The model's answer; a cancel meanwhile stops the call and the run. */
    Completion ask(String model, JsonArray messages) {
      check();
      String id = "agent-" + UUID.randomUUID();
      asking = id;
      try {
        return models.complete(new ChatRequest(id, model, messages, null, false, false)).await();
      } finally {
        asking = null;
      }
    }

    void cancel() {
      cancelled = true;
      if (asking != null) {
        models.cancel(asking);
      }
    }

    /** Throws once the consumer is gone: the run stops here. */
    void check() {
      if (cancelled) {
        throw ResilientChatService.cancelled();
      }
    }

    private void publish(JsonObject event) {
      check();
      if (!streamed) {
        return;
      }
      if (producer.writeQueueFull()) {
        Promise<Void> room = Promise.promise();
        producer.drainHandler(v -> room.tryComplete());
        producer.closed().onComplete(v -> room.tryComplete());
        room.future().await();
        check();
      }
      producer.write(Delta.event(event));
    }
  }

  /** Milliseconds since the run started, with sub-millisecond precision, for the recorded timeline. */
  private static final class RunClock {
    private final long start = System.nanoTime();

    double now() {
      return Math.round((System.nanoTime() - start) / 1e4) / 100.0;
    }

    JsonObject step(String type, double startedMs) {
      return new JsonObject().put("type", type).put("started_ms", startedMs).put("ended_ms", now());
    }
  }
}
