package dev.agentloop.llm;

import dev.agentloop.contract.stream.DeltaSink;
import dev.agentloop.contract.stream.Delta;
import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.chat.ChatRequest;
import dev.agentloop.front.openai.ChatWire;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One running answer of a mock model, paced by Vert.x timers only: the first token after the
 * model's first-token delay, then one every per-token interval (a text token, a tool-call start or
 * an argument fragment, see {@link MockAnswer}), measured against a schedule so
 * timer lateness does not accumulate. Its text goes to a {@link DeltaSink} (a stream producer, or a
 * collector for whole completions), counted as generated tokens; a full sink pauses it; {@link #stop()} cancels its timer and
 * drops everything it holds.
 */
final class Generation {

  enum Outcome { COMPLETED, FAILED, CANCELLED }

  private final Vertx vertx;
  private final ModelSpec model;
  private final ChatRequest request;
  private final DeltaSink sink;
  private final Counter tokens;
  private final Plan plan;
  private final Consumer<Outcome> onDone;
  private final long perTokenNanos;
  private long nextDueNanos;
  private long timer = -1;
  private boolean finished;
  private final Promise<Outcome> ended = Promise.promise();

  Generation(Vertx vertx, ModelSpec model, ChatRequest request, Plan plan, DeltaSink sink, Counter tokens,
      Consumer<Outcome> onDone) {
    this.vertx = vertx;
    this.model = model;
    this.request = request;
    this.sink = sink;
    this.tokens = tokens;
    this.onDone = onDone;
    this.plan = plan;
    this.perTokenNanos = TimeUnit.MILLISECONDS.toNanos(model.perTokenMs());
  }

  void start() {
    boolean failing = model.failureRate() > 0 && ThreadLocalRandom.current().nextDouble() < model.failureRate();
    nextDueNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(model.firstTokenMs());
    if (failing) {
      at(nextDueNanos, () -> finish(Outcome.FAILED, () -> sink.fail(ApiException.modelUnavailable(
          "The model `" + model.id() + "` failed to answer (simulated upstream failure)."))));
    } else {
      at(nextDueNanos, this::emit);
    }
  }

  void stop() {
    if (!finished) {
      finished = true;
      cancelTimer();
      onDone.accept(Outcome.CANCELLED);
      ended.tryComplete(Outcome.CANCELLED);
    }
  }

  /** Completes when the generation is over, however it ended. */
  Future<Outcome> ended() {
    return ended.future();
  }

  private void emit() {
    while (!finished) {
      if (!plan.hasNext()) {
        int completion = plan.total();
        finish(Outcome.COMPLETED, () -> sink.end(plan.finishReason(),
            ChatWire.usage(TextGenerator.promptTokens(request.messages()), completion)));
        return;
      }
      tokens.increment();
      sink.write(plan.next());
      if (finished) {
        return;
      }
      nextDueNanos += perTokenNanos;
      if (sink.writeQueueFull()) {
        sink.drainHandler(v -> {
          if (!finished) {
            nextDueNanos = Math.max(nextDueNanos, System.nanoTime());
            at(nextDueNanos, this::emit);
          }
        });
        return;
      }
      if (perTokenNanos > 0) {
        at(nextDueNanos, this::emit);
        return;
      }
    }
  }

  private void at(long dueNanos, Runnable action) {
    long delayMs = TimeUnit.NANOSECONDS.toMillis(dueNanos - System.nanoTime());
    if (delayMs <= 0) {
      vertx.runOnContext(v -> {
        if (!finished) {
          action.run();
        }
      });
      return;
    }
    timer = vertx.setTimer(delayMs, t -> {
      timer = -1;
      if (!finished) {
        action.run();
      }
    });
  }

  private void finish(Outcome outcome, Runnable terminal) {
    if (finished) {
      return;
    }
    finished = true;
    cancelTimer();
    terminal.run();
    onDone.accept(outcome);
    ended.tryComplete(outcome);
  }

  private void cancelTimer() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
