package dev.agentloop.gateway.agent;

import dev.agentloop.common.Addresses;
import dev.agentloop.common.ApiException;
import dev.agentloop.common.openai.ChatRequest;
import dev.agentloop.common.openai.ChatService;
import dev.agentloop.common.openai.Completion;
import dev.agentloop.common.openai.HttpLimits;
import dev.agentloop.common.storage.ConversationIds;
import dev.agentloop.gateway.ChatBodies;
import dev.agentloop.gateway.ConversationHistory;
import dev.agentloop.gateway.StorageClient;
import dev.agentloop.gateway.resilience.ResilientChatService;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent workflow, written top to bottom like an {@code async def} with {@code await}s: load the
 * conversation, ask the model for a plan, run the plan's tool calls concurrently, ask the model
 * for the answer. It must be deployed with {@code ThreadingModel.VIRTUAL_THREAD}: every message
 * then runs on its own virtual thread, and {@link Future#await()} parks that thread (not an event
 * loop) until the future completes, while other runs proceed.
 */
public final class AgentVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AgentVerticle.class);
  private ChatService models;
  private MockTools tools;
  private ChatBodies bodies;
  private ConversationHistory history;

  @Override
  public Future<?> start() {
    models = ResilientChatService.create(vertx, config());
    tools = new MockTools(vertx);
    bodies = ChatBodies.from(config());
    history = new ConversationHistory(new StorageClient(vertx), ConversationHistory.Window.from(config()),
        HttpLimits.from(config()));
    return vertx.eventBus().<JsonObject>localConsumer(Addresses.AGENT_RUN, this::handle).completion();
  }

  private void handle(Message<JsonObject> message) {
    try {
      JsonObject body = message.body();
      String runId = body.getString("run_id", "run_" + UUID.randomUUID().toString().replace("-", ""));
      Events events = Boolean.TRUE.equals(body.getValue("stream")) ? new Events(Addresses.agentRunEvents(runId))
          : new Events(null);
      message.reply(run(runId, AgentRequest.from(body, bodies), events));
    } catch (ApiException e) {
      e.failReply(message);
    } catch (RuntimeException e) {
      LOG.warn("Agent run failed", e);
      ApiException.from(e, "agent").failReply(message);
    }
  }

  /** One run, in plain sequential style; each {@code await()} suspends only this virtual thread. */
  private JsonObject run(String runId, AgentRequest request, Events events) {
    RunClock clock = new RunClock();
    JsonArray steps = new JsonArray();
    JsonArray messages = request.messages().copy();

    if (request.conversationId() != null) {
      double loadStart = clock.now();
      if (!ConversationIds.valid(request.conversationId())) {
        throw ApiException.badRequest("Invalid 'conversation_id': expected an id like 'conv_abc123'.",
            "conversation_id", "invalid_value");
      }
      JsonArray history = this.history.load(request.conversationId(), messages.size()).await().messages();
      messages = history.copy().addAll(messages);
      steps.add(events.step(clock.step("load_conversation", loadStart).put("status", "completed")
          .put("conversation_id", request.conversationId()).put("messages_loaded", history.size())));
    }

    double planStart = clock.now();
    JsonArray planned = new JsonArray();
    request.toolCalls().forEach(call -> planned.add(call.toJson()));
    Completion plan = ask(request.model(), withSystem(messages,
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
    JsonArray calls = new JsonArray();
    running.forEach(call -> calls.add(call.result()));
    steps.add(events.step(clock.step("tools", toolsStart).put("calls", calls)));

    messages.add(new JsonObject().put("role", "assistant").put("content", plan.content()));
    for (Object call : calls) {
      messages.add(new JsonObject().put("role", "user").put("content", "Tool result: " + ((JsonObject) call).encode()));
    }
    double answerStart = clock.now();
    Completion answer = ask(request.model(), messages);
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

  private Completion ask(String model, JsonArray messages) {
    return models.complete(new ChatRequest("agent-" + UUID.randomUUID(), model, messages, null, false, false)).await();
  }

  private static JsonArray withSystem(JsonArray messages, String system) {
    return new JsonArray().add(new JsonObject().put("role", "system").put("content", system)).addAll(messages);
  }

  /** Publishes steps and tool calls as they finish when the run is streamed; otherwise does nothing. */
  private final class Events {
    private final String address;

    Events(String address) {
      this.address = address;
    }

    JsonObject step(JsonObject step) {
      publish(new JsonObject().put("object", "agent.run.step").put("step", step));
      return step;
    }

    JsonObject toolCall(JsonObject call) {
      publish(new JsonObject().put("object", "agent.run.tool_call").put("tool_call", call));
      return call;
    }

    private void publish(JsonObject event) {
      if (address != null) {
        vertx.eventBus().publish(address, event, new DeliveryOptions().setLocalOnly(true));
      }
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
