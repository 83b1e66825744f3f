package dev.agentloop.gateway.agent;

import dev.agentloop.common.Addresses;
import dev.agentloop.common.ApiException;
import dev.agentloop.common.openai.ChatRequest;
import dev.agentloop.common.openai.ChatService;
import dev.agentloop.common.openai.Completion;
import dev.agentloop.gateway.resilience.ResilientChatService;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
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

  @Override
  public Future<?> start() {
    models = ResilientChatService.create(vertx, config());
    tools = new MockTools(vertx);
    return vertx.eventBus().<JsonObject>consumer(Addresses.AGENT_RUN, this::handle).completion();
  }

  private void handle(Message<JsonObject> message) {
    try {
      message.reply(run(AgentRequest.from(message.body())));
    } catch (ApiException e) {
      e.failReply(message);
    } catch (RuntimeException e) {
      LOG.warn("Agent run failed", e);
      ApiException.from(e, "agent").failReply(message);
    }
  }

  /** One run, in plain sequential style; each {@code await()} suspends only this virtual thread. */
  private JsonObject run(AgentRequest request) {
    RunClock clock = new RunClock();
    JsonArray steps = new JsonArray();
    JsonArray messages = request.messages().copy();

    if (request.conversationId() != null) {
      steps.add(clock.step("load_conversation", clock.now())
          .put("status", "skipped").put("reason", "conversation storage is not part of this build"));
    }

    double planStart = clock.now();
    JsonArray planned = new JsonArray();
    request.toolCalls().forEach(call -> planned.add(call.toJson()));
    Completion plan = ask(request.model(), withSystem(messages,
        "Plan the steps to answer. Tools: " + MockTools.NAMES + ". Planned calls: " + planned.encode()));
    steps.add(clock.step("plan", planStart).put("model", plan.model()).put("output", plan.content())
        .put("tool_calls", planned));

    double toolsStart = clock.now();
    List<Future<JsonObject>> running = new ArrayList<>();
    for (AgentRequest.ToolCall call : request.toolCalls()) {
      double started = clock.now();
      running.add(tools.call(call.name(), call.arguments())
          .map(result -> call.toJson().put("result", result))
          .otherwise(failure -> call.toJson().put("error", ApiException.from(failure, "tool").errorObject()))
          .map(done -> done.put("started_ms", started).put("ended_ms", clock.now())));
    }
    Future.join(running).await();
    JsonArray calls = new JsonArray();
    running.forEach(call -> calls.add(call.result()));
    steps.add(clock.step("tools", toolsStart).put("calls", calls));

    messages.add(new JsonObject().put("role", "assistant").put("content", plan.content()));
    for (Object call : calls) {
      messages.add(new JsonObject().put("role", "user").put("content", "Tool result: " + ((JsonObject) call).encode()));
    }
    double answerStart = clock.now();
    Completion answer = ask(request.model(), messages);
    steps.add(clock.step("answer", answerStart).put("model", answer.model()).put("output", answer.content()));

    return new JsonObject()
        .put("id", "run_" + UUID.randomUUID().toString().replace("-", ""))
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
