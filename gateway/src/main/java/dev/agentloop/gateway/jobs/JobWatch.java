package dev.agentloop.gateway.jobs;

import dev.agentloop.contract.stream.Delta;
import dev.agentloop.contract.stream.TokenStreamProducer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * One client following a job: the producing end of a stream of progress events (see
 * {@code StreamProtocol}), whose consumer acks only as fast as its HTTP client reads. While the
 * consumer holds back, events wait in the producer's buffer, bounded in number and in bytes; past
 * that, progress is coalesced into the latest state (a state, so nothing is lost by skipping one) and
 * item payloads are dropped, counted in {@code items_dropped} (their results stay in storage).
 */
final class JobWatch {

  static final int MAX_EVENTS = 256;
  private static final long PROGRESS_BYTES = 200;

  final String id;
  final Job job;
  private final TokenStreamProducer producer;
  private JsonObject pending;
  private int dropped;

  JobWatch(String id, Job job, Message<?> request, long maxBytes, long ackTimeoutMs) {
    this.id = id;
    this.job = job;
    this.producer = new TokenStreamProducer(request, MAX_EVENTS, maxBytes, ackTimeoutMs).drainHandler(v -> drained());
  }

  TokenStreamProducer producer() {
    return producer;
  }

  long bufferedBytes() {
    return producer.bufferedWeight() + (pending == null ? 0 : PROGRESS_BYTES);
  }

  /** A change of the job: {@code progress} the event, {@code withItem} the same with the item's result, if any. */
  void offer(JsonObject progress, JsonObject withItem, long itemBytes) {
    if (producer.isClosed()) {
      return;
    }
    if (producer.writeQueueFull()) {
      pending = progress;
      if (withItem != null) {
        dropped++;
      }
      return;
    }
    pending = null;
    if (withItem != null) {
      producer.write(Delta.event(counted(withItem)), itemBytes);
    } else {
      producer.write(Delta.event(counted(progress)), PROGRESS_BYTES);
    }
  }

  /** The job ended: its last state goes out whatever the buffer holds, then the stream's end. */
  void finish(JsonObject terminal) {
    pending = null;
    producer.write(Delta.event(counted(terminal)), PROGRESS_BYTES);
    producer.end();
  }

  /** The client went away (its cancel was published). */
  void cancel() {
    producer.cancelled();
  }

  private void drained() {
    if (pending != null) {
      JsonObject latest = pending;
      pending = null;
      producer.write(Delta.event(counted(latest)), PROGRESS_BYTES);
    }
  }

  private JsonObject counted(JsonObject event) {
    return dropped == 0 ? event : event.copy().put("items_dropped", dropped);
  }
}
