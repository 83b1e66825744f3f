package dev.agentloop.gateway.chain;

import dev.agentloop.contract.Addresses;
import dev.agentloop.contract.node.NodeState;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/**
 * Whether a cluster member was lost (the cluster reported it gone) or an llm instance announced on
 * {@code agentloop.llm.leaving} that it is leaving, since a given time: a timeout meanwhile was most
 * likely caused by that member, not by the model.
 */
final class MemberLoss {

  /**
   * A member that left this long before an attempt started still counts: the event bus forgets a
   * lost member's consumers a little after Hazelcast reports the loss, and may route to it meanwhile.
   */
  static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final long POLL_MS = 100;

  private final Vertx vertx;
  private final NodeState node;
  private final Future<Void> ready;

  private MemberLoss(Vertx vertx, NodeState node, Future<Void> ready) {
    this.vertx = vertx;
    this.node = node;
    this.ready = ready;
  }

  /** Starts listening for llm instances that announce they are leaving; call from the owning verticle. */
  static MemberLoss watch(Vertx vertx, NodeState node) {
    Future<Void> listening = vertx.eventBus().consumer(Addresses.LLM_LEAVING, msg -> node.memberLeft())
        .completion();
    return new MemberLoss(vertx, node, listening);
  }

  /** Completes once the leaving announcements are heard. */
  Future<Void> ready() {
    return ready;
  }

  /** Whether a member was lost within the window before {@code startedNanos} or after it. */
  boolean lostSince(long startedNanos) {
    return node.memberLeftSince(startedNanos - WINDOW_NANOS);
  }

  /**
   * Like {@link #lostSince(long)}, but waits (on a timer) up to {@code waitMs} for the loss to be
   * reported: a producer killed mid-answer shows up as a timeout at about the time the cluster
   * detects the loss, often a little before.
   */
  Future<Boolean> awaitLossSince(long startedNanos, long waitMs) {
    if (waitMs <= 0 || lostSince(startedNanos)) {
      return Future.succeededFuture(lostSince(startedNanos));
    }
    Promise<Boolean> lost = Promise.promise();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
    vertx.setPeriodic(POLL_MS, id -> {
      boolean left = lostSince(startedNanos);
      if (left || System.nanoTime() - deadline >= 0) {
        vertx.cancelTimer(id);
        lost.tryComplete(left);
      }
    });
    return lost.future();
  }
}
