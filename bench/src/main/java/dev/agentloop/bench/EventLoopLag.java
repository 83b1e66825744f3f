package dev.agentloop.bench;

import dev.agentloop.testkit.Prometheus;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Part of the request scenario: the gateway's event-loop lag (its own histogram) and blocked-thread
 * events under an open loop at 70% of the closed-loop maximum, while conversation exports write
 * files meanwhile.
 */
final class EventLoopLag {

  private static final Logger LOG = LoggerFactory.getLogger("bench");
  private static final String SCENARIO = "Event loop at 70% of max load: lag p99 and blocked-thread events (100 ms)";

  private EventLoopLag() {
  }

  /** The row of the targets table; {@code rate} is 70% of the closed-loop maximum. */
  static Verdict measure(BenchContext ctx, ServerProcess suite, Target gateway, double rate) throws Exception {
    int port = gateway.port();
    String before = BenchContext.get(port, "/metrics").body();
    if (!before.contains("agentloop_eventloop_lag_seconds")) {
      return Verdict.notRun(SCENARIO, "p99 ≤ 5 ms, 0 events", "—",
          "/metrics has no agentloop_eventloop_lag_seconds series on this build");
    }
    // Files written while the load runs: a conversation exported again and again (off the event loop).
    String conversation = exportableConversation(port);
    AtomicBoolean exporting = new AtomicBoolean(conversation != null);
    AtomicInteger exports = new AtomicInteger();
    AtomicInteger exportErrors = new AtomicInteger();
    Thread exporter = Thread.ofVirtual().start(() -> {
      while (exporting.get()) {
        try {
          int status = BenchContext.get(port, "/v1/conversations/" + conversation + "/export?format=jsonl").statusCode();
          (status == 200 ? exports : exportErrors).incrementAndGet();
        } catch (Exception e) {
          exportErrors.incrementAndGet();
        }
      }
    });
    // "70 % of max": of the closed-loop maximum, stepped down while the server cannot keep up in open
    // loop (the open-loop generator costs more CPU on the same cores), so the point is not saturation.
    RequestLoad.Result r = null;
    double offered = rate;
    for (int attempt = 0; attempt < 4; attempt++) {
      before = BenchContext.get(port, "/metrics").body();
      LOG.info("== event loop at {}/s ({}% of the closed-loop max){}", Math.round(offered),
          Math.round(70 * offered / rate), conversation != null ? ", exports writing files meanwhile" : "");
      r = ctx.loads().open(gateway, "gateway, open @" + Math.round(70 * offered / rate) + "% max", offered,
          ctx.quick ? 5000 : 20000, suite);
      boolean keptUp = r.latency().errors() == 0 && r.latency().percentileMs(50) < 50;
      if (keptUp) {
        break;
      }
      LOG.info("   the server did not keep up at {}/s (p50 {} ms): stepping down", Math.round(offered),
          Verdict.fmt(r.latency().percentileMs(50)));
      offered *= 0.85;
    }
    exporting.set(false);
    exporter.join(Duration.ofSeconds(30));
    JsonObject figures = ctx.report().figures();
    figures.put("lag_offered_rps", Math.round(offered)).put("lag_exports_done", exports.get())
        .put("lag_export_errors", exportErrors.get());
    String after = BenchContext.get(port, "/metrics").body();
    Prometheus.Buckets lag = Prometheus.bucketsDelta(before, after, "agentloop_eventloop_lag_seconds_bucket", Map.of());
    double blocked = Prometheus.parse(after).sum("agentloop_blocked_thread_events_total", Map.of())
        - Prometheus.parse(before).sum("agentloop_blocked_thread_events_total", Map.of());
    double p99UpperMs = lag.quantileUpperBound(0.99) * 1000;
    figures.put("lag_p99_upper_bound_ms", Math.round(p99UpperMs * 1000) / 1000.0).put("lag_samples", lag.total())
        .put("blocked_events", blocked);
    String measured = String.format("lag p99 ≤ %s ms (bucket bound), %d blocked events", Verdict.fmt(p99UpperMs),
        (long) blocked);
    Verdict v = Verdict.atMost(SCENARIO, measured, "—", p99UpperMs, "ms", 5, 5,
        String.format("%d lag samples over all loops; %,.0f req/s offered (%d%% of the closed-loop max %,.0f; "
                + "stepped down from 70%% until the server kept up), gateway p50 %s ms, p99 %s ms; %s",
            lag.total(), offered, Math.round(70 * offered / rate), rate / 0.7,
            Verdict.fmt(r.latency().percentileMs(50)), Verdict.fmt(r.latency().percentileMs(99)),
            conversation == null ? "no exports (no conversations on this build)"
                : exports.get() + " exports written and sent meanwhile, " + exportErrors.get() + " failed"));
    if (blocked > 0 && v.status() != Verdict.Status.NOT_MET) {
      v = new Verdict(v.scenario(), v.measured(), v.baseline(), v.value(), v.unit(), v.must(), v.aim(),
          Verdict.Status.NOT_MET, v.note() + "; blocked-thread events seen");
    }
    return v;
  }

  /** A conversation with a few turns to export, or null when the build has no conversations. */
  private static String exportableConversation(int port) throws Exception {
    HttpResponse<byte[]> created = BenchContext.post(port, "/v1/conversations", "{\"title\":\"bench export\"}");
    if (created.statusCode() != 201 && created.statusCode() != 200) {
      return null;
    }
    String id = new JsonObject(new String(created.body(), StandardCharsets.UTF_8)).getString("id");
    for (int i = 0; i < 40; i++) {
      BenchContext.post(port, "/v1/chat/completions", "{\"model\":\"mock-fast\",\"max_tokens\":64,\"conversation_id\":\""
          + id + "\",\"messages\":[{\"role\":\"user\",\"content\":\"turn " + i + " of the export\"}]}");
    }
    return id;
  }
}
