package dev.agentloop.bench;

import dev.agentloop.testkit.Sse;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens {@code streams} SSE chat streams at {@code rampPerSecond}, holds them all for the window,
 * then closes them. Per stream it records time to first token (from the request's send), every gap
 * between two tokens (against the model's configured gap) and how the stream ended. A stream is an
 * error when it answers non-200, sends an error event, fails, or ends before the window is over.
 * The window starts once every stream has been requested and has answered (opened or failed), or
 * at the latest {@link #MAX_SETTLE_MS} after the last request, so a loaded machine that answers
 * late still holds every stream for the whole window. Tokens, gaps and TTFT are counted until the
 * window ends (not during the close), so the token count is always TTFT samples plus gaps.
 */
public final class SseLoad {

  private static final Logger LOG = LoggerFactory.getLogger("bench");
  static final long MAX_SETTLE_MS = 30_000;

  public record Result(String label, int requested, int opened, int held, long tokens, double rampSeconds,
      double windowSeconds, LatencyStats ttft, GapStats gaps, Map<String, Integer> errors, LatencyStats clientLag,
      JsonObject extra) {

    public int errorCount() {
      return errors.values().stream().mapToInt(Integer::intValue).sum();
    }

    public JsonObject toJson() {
      return new JsonObject().put("label", label).put("requested", requested).put("opened", opened)
          .put("held", held).put("tokens", tokens).put("ramp_seconds", rampSeconds).put("window_seconds", windowSeconds)
          .put("ttft", ttft.toJson()).put("gaps", gaps.toJson()).put("errors", new JsonObject(new TreeMap<>(errors)))
          .put("error_count", errorCount()).put("load_generator_loop_lag", clientLag.toJson()).mergeIn(extra);
    }
  }

  /** Called once the window is over and before the streams close, e.g. to measure the server's memory. */
  public interface AtWindowEnd {
    JsonObject measure(int held);
  }

  private final Vertx vertx;
  private final List<HttpClientAgent> clients;
  private final Target target;

  public SseLoad(Vertx vertx, List<HttpClientAgent> clients, Target target) {
    this.vertx = vertx;
    this.clients = clients;
    this.target = target;
  }

  public Future<Result> run(String label, int streams, double rampPerSecond, long windowMs, long configuredGapMs,
      AtWindowEnd atWindowEnd) {
    Promise<Result> promise = Promise.promise();
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> new Run(label, streams, rampPerSecond, windowMs, configuredGapMs, atWindowEnd,
        promise::complete).start());
    return promise.future();
  }

  private final class Run {
    final String label;
    final int streams;
    final long windowMs;
    final AtWindowEnd atWindowEnd;
    final Consumer<Result> done;
    final OpenLoopSchedule schedule;
    final long start = System.nanoTime();
    final LatencyStats ttft = new LatencyStats();
    final GapStats gaps;
    final Map<String, Integer> errors = new TreeMap<>();
    final List<Stream> all = new ArrayList<>();
    long ticker;
    long progressTimer;
    LoopLag clientLag;
    long rampEnd;
    long tokens;
    int opened;
    int settled;
    int live;
    boolean recording = true;
    boolean windowStarted;

    Run(String label, int streams, double rampPerSecond, long windowMs, long configuredGapMs, AtWindowEnd atWindowEnd,
        Consumer<Result> done) {
      this.label = label;
      this.streams = streams;
      this.windowMs = windowMs;
      this.atWindowEnd = atWindowEnd;
      this.done = done;
      this.schedule = new OpenLoopSchedule(start, rampPerSecond);
      this.gaps = new GapStats(configuredGapMs * 1_000_000);
    }

    void start() {
      clientLag = new LoopLag(vertx).start();
      ticker = vertx.setPeriodic(5, t -> {
        long due = Math.min(streams, schedule.dueBy(System.nanoTime()));
        while (all.size() < due) {
          open(all.size());
        }
        if (all.size() == streams) {
          vertx.cancelTimer(ticker);
          rampEnd = System.nanoTime();
          vertx.setTimer(MAX_SETTLE_MS, t2 -> startWindow());
          if (settled == streams) {
            startWindow();
          }
        }
      });
      progressTimer = vertx.setPeriodic(5000, t -> LOG.info(String.format(
          "  %-28s t=%5.1fs  live=%-6d opened=%-6d tokens=%-8d errors=%d  ttft p50=%.1fms  gap distortion p99=%.1fms",
          label, (System.nanoTime() - start) / 1e9, live, opened, tokens, errors.values().stream().mapToInt(i -> i).sum(),
          ttft.percentileMs(50), gaps.distortionMs(99))));
    }

    /** Every stream has answered (or the settle bound passed): the held window begins. */
    void startWindow() {
      if (windowStarted) {
        return;
      }
      windowStarted = true;
      LOG.info("  {}: all {} streams requested after {} s, {} answered; holding for {} s", label, streams,
          String.format("%.1f", (rampEnd - start) / 1e9), settled, windowMs / 1000);
      vertx.setTimer(windowMs, w -> windowOver());
    }

    void settledOne() {
      settled++;
      if (settled == streams && rampEnd != 0) {
        startWindow();
      }
    }

    void open(int index) {
      Stream stream = new Stream();
      all.add(stream);
      HttpClientAgent client = clients.get(index % clients.size());
      stream.sent = System.nanoTime();
      client.request(target.options())
          .compose(req -> {
            stream.request = req;
            return req.send(target.body());
          })
          .onComplete(ar -> {
            settledOne();
            if (ar.failed()) {
              stream.fail("connect/send: " + simple(ar.cause()));
              return;
            }
            var resp = ar.result();
            if (resp.statusCode() != 200) {
              stream.fail("HTTP " + resp.statusCode());
              resp.body();
              return;
            }
            opened++;
            live++;
            stream.open = true;
            Sse.Parser parser = new Sse.Parser(stream::onData);
            resp.handler(buf -> {
              stream.now = System.nanoTime();
              parser.feed(buf);
            });
            resp.exceptionHandler(e -> stream.fail("stream: " + simple(e)));
            resp.endHandler(e -> stream.ended());
          });
    }

    void windowOver() {
      recording = false;
      vertx.cancelTimer(progressTimer);
      LatencyStats lag = clientLag.stop();
      int held = 0;
      for (Stream s : all) {
        if (s.open && !s.finished) {
          held++;
        }
      }
      int heldNow = held;
      LOG.info("  {}: window over, {} streams held; measuring, then closing them", label, held);
      vertx.executeBlocking(() -> atWindowEnd == null ? new JsonObject() : atWindowEnd.measure(heldNow), false)
          .onComplete(ar -> {
            for (Stream s : all) {
              s.closing = true;
              if (s.request != null && !s.finished) {
                s.request.reset();
              }
            }
            JsonObject extra = ar.failed() ? new JsonObject().put("measure_error", simple(ar.cause()))
                : ar.result() == null ? new JsonObject() : ar.result();
            done.accept(new Result(label, streams, opened, heldNow, tokens, (rampEnd - start) / 1e9, windowMs / 1000.0,
                ttft, gaps, errors, lag, extra));
          });
    }

    final class Stream {
      HttpClientRequest request;
      long sent;
      long now;
      long lastToken;
      int count;
      boolean open;
      boolean finished;
      boolean closing;
      boolean failed;

      void onData(String data) {
        if (data.equals("[DONE]")) {
          finished = true;
          return;
        }
        if (data.startsWith("{\"error\"")) {
          fail("error event: " + errorMessage(data));
          return;
        }
        if (!isToken(data)) {
          return;
        }
        if (recording) {
          tokens++;
          if (count == 0) {
            ttft.recordNanos(now - sent);
          } else {
            gaps.recordGap(now - lastToken);
          }
        }
        count++;
        lastToken = now;
      }

      void ended() {
        if (open) {
          live--;
          open = false;
        }
        if (failed) {
          return;
        }
        if (!closing && recording) {
          // Ending (even with [DONE]) before the window is over means the stream was not held.
          error(finished ? "ended early (model ran out of tokens)" : "closed without [DONE]");
        }
        finished = true;
      }

      void fail(String why) {
        if (closing || finished) {
          return;
        }
        if (open) {
          live--;
          open = false;
        }
        finished = true;
        failed = true;
        error(why);
      }
    }

    void error(String why) {
      errors.merge(why, 1, Integer::sum);
    }
  }

  /**
   * A token: a chunk whose delta carries non-empty content, or a tool-call fragment (the call's
   * first, with its id and name, or a piece of its arguments); not the role or the final chunk.
   */
  static boolean isToken(String data) {
    int i = data.indexOf("\"content\":\"");
    return i >= 0 && data.charAt(i + 11) != '"' || data.contains("\"tool_calls\":[");
  }

  static String errorMessage(String data) {
    try {
      String m = new JsonObject(data).getJsonObject("error").getString("message", "?");
      return m.length() > 70 ? m.substring(0, 70) : m;
    } catch (RuntimeException e) {
      return "unparsable";
    }
  }

  static String simple(Throwable t) {
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + (m.length() > 80 ? m.substring(0, 80) : m));
  }
}
