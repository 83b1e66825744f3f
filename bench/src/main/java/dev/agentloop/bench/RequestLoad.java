package dev.agentloop.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Request/response load on one Vert.x event loop: closed loop (N connections, each sends the next
 * request when the last one answered; gives the maximum throughput) and open loop (a fixed rate,
 * latency from each request's intended send time). A request counts as an error unless it answers
 * 200 with a body.
 */
public final class RequestLoad {

  private static final Logger LOG = LoggerFactory.getLogger("bench");

  /** What one run measured; latencies only for requests that finished inside the measurement window. */
  public record Result(String label, String mode, int connections, double offeredRate, double seconds,
      long completed, LatencyStats latency, LatencyStats clientLag) {

    public double throughput() {
      return completed / seconds;
    }

    public JsonObject toJson() {
      return new JsonObject().put("label", label).put("mode", mode).put("connections", connections)
          .put("offered_rate", offeredRate > 0 ? offeredRate : null)
          .put("seconds", seconds).put("completed", completed)
          .put("throughput_rps", Math.round(throughput() * 10) / 10.0)
          .put("latency", latency.toJson()).put("load_generator_loop_lag", clientLag.toJson());
    }
  }

  private final Vertx vertx;
  private final HttpClientAgent client;
  private final Target target;
  private final List<Buffer> bodies;
  private int nextBody;

  public RequestLoad(Vertx vertx, HttpClientAgent client, Target target) {
    this(vertx, client, target, target.body() == null ? List.of() : List.of(target.body()));
  }

  /** Sends the given bodies in turn instead of the target's own. */
  public RequestLoad(Vertx vertx, HttpClientAgent client, Target target, List<Buffer> bodies) {
    this.vertx = vertx;
    this.client = client;
    this.target = target;
    this.bodies = bodies;
  }

  /** One exchange; succeeds with the status code once the whole body arrived. */
  Future<Integer> exchange() {
    return client.request(target.options())
        .compose(req -> bodies.isEmpty() ? req.send() : req.send(bodies.get(nextBody++ % bodies.size())))
        .compose(resp -> resp.body().map(b -> resp.statusCode()));
  }

  public Future<Result> closedLoop(String label, int connections, long warmupMs, long measureMs) {
    Promise<Result> promise = Promise.promise();
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> new ClosedRun(label, connections, warmupMs, measureMs, promise::complete).start());
    return promise.future();
  }

  public Future<Result> openLoop(String label, double rate, long warmupMs, long measureMs) {
    Promise<Result> promise = Promise.promise();
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> new OpenRun(label, rate, warmupMs, measureMs, promise::complete).start());
    return promise.future();
  }

  /** What both loops share: the measurement window, the statistics, the progress line, the loop-lag probe. */
  private abstract class Run {
    final String label;
    final long measureMs;
    final long start = System.nanoTime();
    final long warmupEnd;
    final long end;
    final LatencyStats stats = new LatencyStats();
    final Consumer<Result> done;
    final Progress progress;
    long completed;
    LoopLag lag;

    Run(String label, long warmupMs, long measureMs, Consumer<Result> done) {
      this.label = label;
      this.measureMs = measureMs;
      this.warmupEnd = start + warmupMs * 1_000_000;
      this.end = warmupEnd + measureMs * 1_000_000;
      this.done = done;
      this.progress = new Progress(vertx, label, stats, () -> completed);
    }

    void complete(String mode, int connections, double rate) {
      progress.stop();
      done.accept(new Result(label, mode, connections, rate, measureMs / 1000.0, completed, stats, lag.stop()));
    }
  }

  private final class ClosedRun extends Run {
    final int connections;
    int running;

    ClosedRun(String label, int connections, long warmupMs, long measureMs, Consumer<Result> done) {
      super(label, warmupMs, measureMs, done);
      this.connections = connections;
    }

    void start() {
      lag = new LoopLag(vertx).start();
      running = connections;
      for (int i = 0; i < connections; i++) {
        next();
      }
    }

    void next() {
      long sent = System.nanoTime();
      if (sent >= end) {
        if (--running == 0) {
          complete("closed", connections, 0);
        }
        return;
      }
      exchange().onComplete(ar -> {
        long now = System.nanoTime();
        boolean counted = sent >= warmupEnd && now <= end;
        if (ar.succeeded() && ar.result() == 200) {
          if (counted) {
            completed++;
            stats.recordNanos(now - sent);
          }
          next();
        } else {
          if (counted) {
            stats.recordError();
          }
          LOG.debug("{}: request failed: {}", label, ar.succeeded() ? "HTTP " + ar.result() : ar.cause());
          vertx.setTimer(10, t -> next());
        }
      });
    }
  }

  private final class OpenRun extends Run {
    final double rate;
    final OpenLoopSchedule schedule;
    long sent;
    long outstanding;
    long ticker;
    boolean finished;

    OpenRun(String label, double rate, long warmupMs, long measureMs, Consumer<Result> done) {
      super(label, warmupMs, measureMs, done);
      this.rate = rate;
      this.schedule = new OpenLoopSchedule(start, rate);
    }

    void start() {
      lag = new LoopLag(vertx).start();
      ticker = vertx.setPeriodic(1, t -> tick());
    }

    void tick() {
      long now = System.nanoTime();
      long due = schedule.dueBy(Math.min(now, end - 1));
      for (; sent < due; sent++) {
        send(schedule.intendedAt(sent));
      }
      if (now >= end) {
        vertx.cancelTimer(ticker);
        // Whatever is still outstanding 10 s after the end has failed to answer in time.
        vertx.setTimer(10_000, t -> finish());
        maybeFinish();
      }
    }

    void send(long intended) {
      outstanding++;
      exchange().onComplete(ar -> {
        long now = System.nanoTime();
        outstanding--;
        if (intended >= warmupEnd && !finished) {
          if (ar.succeeded() && ar.result() == 200) {
            completed++;
            stats.recordFromIntended(intended, now);
          } else {
            stats.recordError();
          }
        }
        maybeFinish();
      });
    }

    void maybeFinish() {
      if (outstanding == 0 && System.nanoTime() >= end) {
        finish();
      }
    }

    void finish() {
      if (finished) {
        return;
      }
      finished = true;
      vertx.cancelTimer(ticker);
      for (long i = 0; i < outstanding; i++) {
        stats.recordError();
      }
      complete("open", 0, rate);
    }
  }
}
