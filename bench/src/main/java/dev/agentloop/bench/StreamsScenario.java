package dev.agentloop.bench;

import static dev.agentloop.bench.BenchContext.STREAM_FIRST_TOKEN_MS;
import static dev.agentloop.bench.BenchContext.STREAM_GAP_MS;
import static dev.agentloop.bench.BenchContext.STREAM_MODEL;

import dev.agentloop.testkit.Prometheus;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Concurrent SSE streams of a slow model held through the gateway, against a fresh suite JVM so its
 * memory before the streams is a clean baseline: TTFT over the model's first-token delay (and over
 * the same streams to the mock port), streams held, inter-token gap distortion, memory per stream.
 */
final class StreamsScenario extends AbstractScenario {

  private static final Logger LOG = LoggerFactory.getLogger("bench");

  StreamsScenario() {
    super("streams", "TTFT overhead, streams held, inter-token gap distortion and memory per held stream", false);
  }

  @Override
  public List<Verdict> run(BenchContext ctx) throws Exception {
    return new Run(ctx).all();
  }

  /** One run of the scenario: the levels measured so far and the rows they give. */
  static final class Run {
    final BenchContext ctx;
    final boolean quick;
    final List<Verdict> verdicts = new ArrayList<>();
    SseLoad.Result mockTtft;

    Run(BenchContext ctx) {
      this.ctx = ctx;
      this.quick = ctx.quick;
    }

    List<Verdict> all() throws Exception {
      Target target = Target.post("streams", ctx.gwPort, "/v1/chat/completions", Target.chat(STREAM_MODEL, true));
      int[] levels = quick ? new int[] {1000} : new int[] {1000, 5000, 10000};
      long[] windows = quick ? new long[] {10_000} : new long[] {15_000, 60_000, 60_000};
      Map<Integer, SseLoad.Result> results = new LinkedHashMap<>();
      try (ServerProcess suite = ctx.startSuite("agentloop (one JVM, streams)", Map.of())) {
        // Warm the streaming path on both sides (server and load generator) so the first level's TTFT
        // is not JIT warm-up or the load generator's first 1,000 connections.
        streams(suite, target, 1000, 500, 3000, false);
        for (int i = 0; i < levels.length; i++) {
          if (!suite.alive()) {
            LOG.error("agentloop died:\n{}", suite.tail());
            break;
          }
          results.put(levels[i], streams(suite, target, levels[i], 500, windows[i], true));
          if (levels[i] == 1000) {
            // The same 1,000 streams straight to the mock's own port: the floor the gateway's TTFT is compared to.
            Target direct = Target.post("streams, mock port", ctx.llmPort, "/v1/chat/completions",
                Target.chat(STREAM_MODEL, true));
            SseLoad.Result m = streams(suite, direct, 1000, 500, quick ? 5000 : 10_000, false);
            mockTtft = new SseLoad.Result("1,000 streams, mock port (no gateway)", m.requested(), m.opened(),
                m.held(), m.tokens(), m.rampSeconds(), m.windowSeconds(), m.ttft(), m.gaps(), m.errors(),
                m.clientLag(), m.extra());
            ctx.report().streamRun(mockTtft);
          }
        }
      }
      SseLoad.Result r1000 = results.get(1000);
      if (r1000 != null) {
        ttft(r1000);
      }
      held(results.get(5000), 5000, "must");
      held(results.get(10000), 10000, "aim");
      SseLoad.Result main = results.containsKey(5000) ? results.get(5000) : r1000;
      if (main != null) {
        String at = String.format(" (at %,d streams)", main.requested());
        verdicts.add(Verdict.atMost("Inter-token gap distortion p99 \\|observed − 1,000 ms\\|" + at,
            "p99 " + Verdict.fmt(main.gaps().distortionMs(99)) + " ms", "configured gap 1,000 ms",
            main.gaps().distortionMs(99), "ms", 5, 2,
            String.format("%,d gaps; p50 %s ms, max %s ms", main.gaps().count(), Verdict.fmt(main.gaps().distortionMs(50)),
                Verdict.fmt(main.gaps().count() == 0 ? Double.NaN : main.gaps().distortionMs(100)))));
        memory(main);
      }
      SseLoad.Result big = results.get(10000);
      if (big != null) {
        verdicts.add(new Verdict("Inter-token gap distortion p99 at 10,000 streams (figure)",
            "p99 " + Verdict.fmt(big.gaps().distortionMs(99)) + " ms", "1,000 ms", big.gaps().distortionMs(99), "ms",
            "≤ 5", "≤ 2", big.gaps().distortionMs(99) <= 2 ? Verdict.Status.MET_AIM
                : big.gaps().distortionMs(99) <= 5 ? Verdict.Status.MET : Verdict.Status.NOT_MET,
            String.format("%,d gaps", big.gaps().count())));
        memory(big);
      }
      return verdicts;
    }

    private void ttft(SseLoad.Result r1000) {
      double overhead = r1000.ttft().percentileMs(50) - STREAM_FIRST_TOKEN_MS;
      verdicts.add(Verdict.atMost("TTFT overhead at 1,000 streams: TTFT p50 − model first-token delay (200 ms)",
          "TTFT p50 " + Verdict.fmt(r1000.ttft().percentileMs(50)) + " ms", "200 ms", overhead, "ms", 2, 1,
          String.format("TTFT p99 %s ms; from request send, incl. TCP connect, ramp 500 streams/s; inside the gateway "
              + "(bus stream opened → first batch) p50 ≤ %s ms%s",
              Verdict.fmt(r1000.ttft().percentileMs(99)), r1000.extra().getValue("server_ttft_gateway_p50_ms_upper"),
              mockTtft == null ? ""
                  : String.format("; same 1,000 streams to the mock port without the gateway: TTFT p50 %s ms (overhead %s ms)",
                      Verdict.fmt(mockTtft.ttft().percentileMs(50)),
                      Verdict.fmt(mockTtft.ttft().percentileMs(50) - STREAM_FIRST_TOKEN_MS)))));
    }

    private void held(SseLoad.Result r, int level, String kind) {
      String scenario = String.format("Concurrent streams held for the window, zero errors: %,d (%s)", level, kind);
      if (r == null) {
        verdicts.add(Verdict.notRun(scenario, kind.equals("must") ? "5,000, 0 errors" : "—",
            kind.equals("aim") ? "10,000, 0 errors" : "—",
            quick ? "quick mode holds 1,000 streams only" : "agentloop did not survive the previous level"));
        return;
      }
      boolean ok = r.held() == level && r.errorCount() == 0;
      Verdict.Status status = ok ? (kind.equals("aim") ? Verdict.Status.MET_AIM : Verdict.Status.MET)
          : Verdict.Status.NOT_MET;
      verdicts.add(new Verdict(scenario, String.format("%,d held, %d errors", r.held(), r.errorCount()),
          String.format("%,d requested", level), (double) r.held(), "streams",
          kind.equals("must") ? "5,000, 0 errors" : "—", "10,000, 0 errors", status,
          String.format("window %.0f s after a %.1f s ramp; %,d tokens received%s", r.windowSeconds(), r.rampSeconds(),
              r.tokens(), r.errors().isEmpty() ? "" : "; errors: " + r.errors())));
    }

    private void memory(SseLoad.Result r) {
      JsonObject m = r.extra();
      Long heapBefore = m.getLong("heap_after_gc_before_kb");
      Long heapDuring = m.getLong("heap_after_gc_held_kb");
      if (heapBefore == null || heapDuring == null || heapBefore < 0 || heapDuring < 0 || r.held() == 0) {
        verdicts.add(Verdict.failed("Memory per held stream", "≤ 50 KB", "≤ 25 KB", "no heap figures: " + m.encode()));
        return;
      }
      double kbPerStream = (heapDuring - heapBefore) / (double) r.held();
      double rssPerStream = (m.getLong("rss_held_kb") - m.getLong("rss_before_kb")) / (double) r.held();
      verdicts.add(Verdict.atMost(String.format("Memory per held stream (heap after full GC, at %,d streams)", r.held()),
          Verdict.fmt(kbPerStream) + " KB/stream", String.format("heap %,d → %,d KB", heapBefore, heapDuring),
          kbPerStream, "KB", 50, 25,
          String.format("RSS delta %s KB/stream (RSS %,d → %,d KB; includes heap growth the GC keeps)",
              Verdict.fmt(rssPerStream), m.getLong("rss_before_kb"), m.getLong("rss_held_kb"))));
    }

    /** One level: {@code count} streams ramped up, held for {@code windowMs}; {@code record} keeps it in the report. */
    SseLoad.Result streams(ServerProcess suite, Target target, int count, double rampPerSecond, long windowMs,
        boolean record) throws Exception {
      String label = String.format("%,d streams", count);
      LOG.info("== {} of {} ({} ms first token, {} ms per token), ramp {}/s, window {} s", label, STREAM_MODEL,
          STREAM_FIRST_TOKEN_MS, STREAM_GAP_MS, Math.round(rampPerSecond), windowMs / 1000);
      long heapBefore = record ? suite.heapAfterGcKb() : -1;
      long rssBefore = suite.rssKb();
      long gcOffset = suite.gcLogOffset();
      String metricsBefore = BenchContext.scrape(ctx.gwPort);
      long cpu0 = suite.cpuMs();
      long t0 = System.nanoTime();
      List<HttpClientAgent> clients = Clients.forStreams(ctx.vertx(), count);
      try {
        SseLoad.Result r = new SseLoad(ctx.vertx(), clients, target).run(label, count, rampPerSecond, windowMs,
            STREAM_GAP_MS, held -> {
              // GC pauses and CPU first: the heap measurement below forces a full GC of its own.
              JsonObject m = suite.gcPauses(gcOffset).put("load_average", BenchContext.loadAverage());
              serverTtft(metricsBefore, BenchContext.scrape(ctx.gwPort), m);
              m.put("server_cpu_pct", Math.round(100.0 * (suite.cpuMs() - cpu0) / ((System.nanoTime() - t0) / 1e6)));
              return record ? m.put("heap_after_gc_before_kb", heapBefore).put("rss_before_kb", rssBefore)
                  .put("rss_held_kb", suite.rssKb()).put("heap_after_gc_held_kb", suite.heapAfterGcKb()) : m;
            })
            .await(10, TimeUnit.MINUTES);
        if (record) {
          ctx.report().streamRun(r);
        }
        LOG.info("{}: held {}, errors {}, TTFT p50 {} ms, gap distortion p99 {} ms, {}", label, r.held(),
            r.errorCount(), Verdict.fmt(r.ttft().percentileMs(50)), Verdict.fmt(r.gaps().distortionMs(99)),
            r.extra().encode());
        return r;
      } finally {
        for (HttpClientAgent c : clients) {
          c.close().await(30, TimeUnit.SECONDS);
        }
        // Let the server notice the closed streams and cancel their generations before the next level.
        Thread.sleep(3000);
      }
    }
  }

  /**
   * The server's own view of time to first token (agentloop_time_to_first_token_seconds, from the
   * gateway or mock port opening the bus stream to the first batch), per front, from two scrapes.
   */
  private static void serverTtft(String before, String after, JsonObject into) {
    for (String front : List.of("gateway", "llm")) {
      Prometheus.Buckets b = Prometheus.bucketsDelta(before, after, "agentloop_time_to_first_token_seconds_bucket",
          Map.of("front", front));
      if (b.total() > 0) {
        into.put("server_ttft_" + front + "_samples", b.total())
            .put("server_ttft_" + front + "_p50_ms_upper", Math.round(b.quantileUpperBound(0.5) * 10_000) / 10.0)
            .put("server_ttft_" + front + "_p99_ms_upper", Math.round(b.quantileUpperBound(0.99) * 10_000) / 10.0);
      }
    }
  }
}
