package dev.agentloop.contract.node;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.threadchecker.BlockedThreadEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts what Vert.x's blocked-thread checker finds and keeps the stack traces of the last few
 * blocks. The checker reports a thread again at every check while it stays blocked; those reports
 * are folded into one event per block (an episode), whose duration grows with each report and whose
 * stack is the one taken at the first report.
 *
 * <p>Hooks {@code VertxInternal.blockedThreadChecker()}, an internal Vert.x API (checked against
 * vertx-core 5.0.10). Replacing the handler replaces Vert.x's own warning, so this class logs one.
 * The handler runs on the checker's timer thread; readers on event loops see immutable snapshots.
 *
 * <p>Series: {@code agentloop_blocked_thread_events_total{thread}}.
 */
public final class BlockedThreads {

  public static final String COUNTER = "agentloop_blocked_thread_events";
  private static final Logger LOG = LoggerFactory.getLogger(BlockedThreads.class);
  private static final int STACK_DEPTH = 40;

  /** One block of one thread, as last reported. */
  public record Event(String thread, long startedNanos, Instant detectedAt, long blockedMs, long limitMs,
      List<String> stack) {

    public JsonObject toJson() {
      return new JsonObject().put("thread", thread).put("detected_at", detectedAt.toString())
          .put("blocked_ms", blockedMs).put("limit_ms", limitMs).put("stack", new JsonArray(stack));
    }
  }

  private final MeterRegistry registry;
  private final int keep;
  private final Map<String, Counter> counters = new HashMap<>();
  private final Map<String, Event> current = new HashMap<>();
  private final ArrayDeque<Event> recent = new ArrayDeque<>();
  private volatile List<Event> snapshot = List.of();
  private volatile long total;

  private BlockedThreads(MeterRegistry registry, int keep) {
    this.registry = registry;
    this.keep = keep;
  }

  /** Hooks the checker of {@code vertx}; the result goes into the {@link Node} built with it. */
  public static BlockedThreads install(Vertx vertx, MeterRegistry registry, int keep) {
    BlockedThreads blocked = new BlockedThreads(registry, keep);
    ((VertxInternal) vertx).blockedThreadChecker().setThreadBlockedHandler(blocked::onBlocked);
    return blocked;
  }

  /** One that no checker reports to: it stays empty. */
  public static BlockedThreads unhooked(MeterRegistry registry, int keep) {
    return new BlockedThreads(registry, keep);
  }

  /** Blocks seen since start, every thread together. */
  public long total() {
    return total;
  }

  /** The last blocks, newest first. */
  public List<Event> recent() {
    return snapshot;
  }

  public JsonObject toJson() {
    JsonArray events = new JsonArray();
    snapshot.forEach(e -> events.add(e.toJson()));
    return new JsonObject().put("total", total).put("events", events);
  }

  private void onBlocked(BlockedThreadEvent event) {
    long now = System.nanoTime();
    String thread = event.thread().getName();
    long startedNanos = now - event.duration();
    long limitNanos = event.maxExecTime();
    Event previous = current.get(thread);
    boolean sameBlock = previous != null && Math.abs(previous.startedNanos() - startedNanos) < Math.max(limitNanos / 2,
        TimeUnit.MILLISECONDS.toNanos(1));
    // the first report's stack: a later one may be taken just after the thread got free again
    List<String> stack = sameBlock ? previous.stack() : stack(event.thread());
    Event updated = new Event(thread, sameBlock ? previous.startedNanos() : startedNanos,
        sameBlock ? previous.detectedAt() : Instant.now(), TimeUnit.NANOSECONDS.toMillis(event.duration()),
        TimeUnit.NANOSECONDS.toMillis(limitNanos), stack);
    current.put(thread, updated);
    if (sameBlock) {
      recent.remove(previous);
    } else {
      total++;
      counters.computeIfAbsent(thread, t -> Counter.builder(COUNTER)
          .description("Times a thread stayed blocked longer than Vert.x allows (blocked-thread checker)")
          .tag("thread", t).register(registry)).increment();
      LOG.warn("Thread {} has been blocked for {} ms, time limit is {} ms; stack:\n  at {}", thread,
          updated.blockedMs(), updated.limitMs(), String.join("\n  at ", stack));
    }
    recent.addFirst(updated);
    while (recent.size() > keep) {
      recent.removeLast();
    }
    snapshot = List.copyOf(recent);
  }

  private static List<String> stack(Thread thread) {
    StackTraceElement[] frames = thread.getStackTrace();
    List<String> lines = new ArrayList<>(Math.min(frames.length, STACK_DEPTH));
    for (int i = 0; i < frames.length && i < STACK_DEPTH; i++) {
      lines.add(frames[i].toString());
    }
    return lines;
  }
}
