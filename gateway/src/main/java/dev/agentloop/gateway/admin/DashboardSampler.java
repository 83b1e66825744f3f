package dev.agentloop.gateway.admin;

import dev.agentloop.contract.node.BlockedThreads;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Turns the node's Micrometer registry into one dashboard snapshot: rates are differences between
 * this sample and the previous one, latency percentiles come from the histogram buckets of the last
 * ten samples. One sampler per feed connection, used on that connection's event loop only.
 */
final class DashboardSampler {

  private static final int WINDOW = 10;
  private static final long BLOCK_MARKER_SECONDS = 15;

  private final MeterRegistry registry;
  private final BlockedThreads blocked;
  private final long startedAt = System.currentTimeMillis();
  private Map<String, Double> previousCounts = Map.of();
  private long previousAtNanos;
  private final ArrayDeque<Map<String, TreeMap<Double, Double>>> histograms = new ArrayDeque<>();
  private final ArrayDeque<Map<String, Double>> histogramCounts = new ArrayDeque<>();

  DashboardSampler(MeterRegistry registry, BlockedThreads blocked) {
    this.registry = registry;
    this.blocked = blocked;
  }

  JsonObject sample() {
    long now = System.nanoTime();
    double seconds = previousAtNanos == 0 ? 0 : (now - previousAtNanos) / 1e9;
    Map<String, Double> counts = new HashMap<>();
    Map<String, Double> gauges = new HashMap<>();
    Map<String, TreeMap<Double, Double>> buckets = new HashMap<>();
    Map<String, Double> timerCounts = new HashMap<>();
    TreeSet<String> addresses = new TreeSet<>();
    TreeSet<String> loops = new TreeSet<>();
    TreeSet<String> models = new TreeSet<>();

    for (Meter meter : registry.getMeters()) {
      String name = meter.getId().getName().replace('.', '_');
      switch (name) {
        case "vertx_eventbus_sent", "vertx_eventbus_published", "vertx_eventbus_received",
             "vertx_eventbus_delivered", "vertx_eventbus_processed", "vertx_eventbus_reply_failures",
             "vertx_eventbus_discarded" -> {
          String address = meter.getId().getTag("address");
          if (address != null) {
            addresses.add(address);
            add(counts, "eb|" + name.substring("vertx_eventbus_".length()) + "|" + address, count(meter));
          }
        }
        case "vertx_eventbus_pending", "vertx_eventbus_handlers" -> {
          String address = meter.getId().getTag("address");
          if (address != null) {
            addresses.add(address);
            add(gauges, "eb|" + name.substring("vertx_eventbus_".length()) + "|" + address, value(meter));
          }
        }
        case "vertx_http_server_requests" -> {
          String route = meter.getId().getTag("route");
          if (route != null && route.contains("/v1/")) {
            add(counts, "http|requests", count(meter));
            String code = meter.getId().getTag("code");
            if (code != null && (code.startsWith("4") || code.startsWith("5"))) {
              add(counts, "http|errors", count(meter));
            }
          }
        }
        case "agentloop_eventloop_lag_recent_max" -> {
          String thread = meter.getId().getTag("thread");
          loops.add(thread);
          add(gauges, "lag|" + thread, value(meter));
        }
        case "netty_eventexecutor_tasks_pending" -> add(gauges, "queue|" + meter.getId().getTag("name"), value(meter));
        case "agentloop_blocked_thread_events" -> {
          String thread = meter.getId().getTag("thread");
          add(counts, "blocked|" + thread, count(meter));
        }
        case "agentloop_streams_in_flight" -> {
          if ("gateway".equals(meter.getId().getTag("front"))) {
            add(gauges, "streams", value(meter));
          }
        }
        case "agentloop_chat_latency", "agentloop_time_to_first_token" -> {
          if ("gateway".equals(meter.getId().getTag("front")) && meter instanceof Timer timer) {
            String model = meter.getId().getTag("model");
            models.add(model);
            String kind = name.equals("agentloop_chat_latency") ? "latency" : "ttft";
            add(counts, "model|" + kind + "|" + model, timer.count());
            histogram(buckets, timerCounts, kind + "|" + model, timer);
            histogram(buckets, timerCounts, kind, timer);
          }
        }
        case "agentloop_llm_tokens_generated" -> {
          String model = meter.getId().getTag("model");
          add(counts, "model|tokens|" + model, count(meter));
        }
        case "jvm_memory_used" -> {
          if ("heap".equals(meter.getId().getTag("area"))) {
            add(gauges, "heap", value(meter));
          }
        }
        default -> {
        }
      }
    }
    histograms.addLast(buckets);
    histogramCounts.addLast(timerCounts);
    while (histograms.size() > WINDOW + 1) {
      histograms.removeFirst();
      histogramCounts.removeFirst();
    }

    JsonObject snapshot = new JsonObject()
        .put("at", Instant.now().toString())
        .put("uptime_s", (System.currentTimeMillis() - startedAt) / 1000)
        .put("interval_s", round(seconds));

    JsonArray bus = new JsonArray();
    for (String address : addresses) {
      bus.add(new JsonObject().put("address", address)
          .put("sent_per_s", rate(counts, seconds, "eb|sent|" + address) + rate(counts, seconds, "eb|published|" + address))
          .put("received_per_s", rate(counts, seconds, "eb|received|" + address))
          .put("delivered_per_s", rate(counts, seconds, "eb|delivered|" + address))
          .put("processed_per_s", rate(counts, seconds, "eb|processed|" + address))
          .put("reply_failures_per_s", rate(counts, seconds, "eb|reply_failures|" + address))
          .put("discarded_per_s", rate(counts, seconds, "eb|discarded|" + address))
          .put("pending", gauges.getOrDefault("eb|pending|" + address, 0.0))
          .put("handlers", gauges.getOrDefault("eb|handlers|" + address, 0.0))
          .put("sent_total", counts.getOrDefault("eb|sent|" + address, 0.0)
              + counts.getOrDefault("eb|published|" + address, 0.0)));
    }
    snapshot.put("eventbus", bus);

    Map<String, BlockedThreads.Event> lastBlock = new HashMap<>();
    for (BlockedThreads.Event event : blocked.recent()) {
      lastBlock.putIfAbsent(event.thread(), event);
    }
    JsonArray loopArray = new JsonArray();
    for (String loop : loops) {
      BlockedThreads.Event last = lastBlock.get(loop);
      boolean recent = last != null && last.detectedAt().isAfter(Instant.now().minusSeconds(BLOCK_MARKER_SECONDS));
      loopArray.add(new JsonObject().put("thread", loop)
          .put("lag_ms", round(gauges.getOrDefault("lag|" + loop, 0.0) * 1000))
          .put("queued_tasks", gauges.getOrDefault("queue|" + loop, 0.0))
          .put("blocked_total", counts.getOrDefault("blocked|" + loop, 0.0))
          .put("blocked_recently", recent)
          .put("last_block_ms", last == null ? null : last.blockedMs())
          .put("last_block_at", last == null ? null : last.detectedAt().toString()));
    }
    snapshot.put("loops", loopArray);
    JsonArray events = new JsonArray();
    blocked.recent().stream().limit(5).forEach(e -> events.add(new JsonObject().put("thread", e.thread())
        .put("blocked_ms", e.blockedMs()).put("limit_ms", e.limitMs()).put("at", e.detectedAt().toString())
        .put("top_frame", topFrame(e))));
    snapshot.put("blocked", new JsonObject().put("total", blocked.total()).put("recent", events));

    JsonObject latency = percentiles("latency", new JsonObject());
    snapshot.put("http", new JsonObject()
        .put("requests_per_s", rate(counts, seconds, "http|requests"))
        .put("errors_per_s", rate(counts, seconds, "http|errors"))
        .put("requests_total", counts.getOrDefault("http|requests", 0.0))
        .put("latency_ms", latency)
        .put("ttft_ms", percentiles("ttft", new JsonObject())));
    snapshot.put("streams_in_flight", gauges.getOrDefault("streams", 0.0));
    snapshot.put("heap_mb", round(gauges.getOrDefault("heap", 0.0) / (1024 * 1024)));

    JsonArray modelArray = new JsonArray();
    for (String model : models) {
      modelArray.add(new JsonObject().put("model", model)
          .put("completed_per_s", rate(counts, seconds, "model|latency|" + model))
          .put("completed_total", counts.getOrDefault("model|latency|" + model, 0.0))
          .put("tokens_per_s", rate(counts, seconds, "model|tokens|" + model))
          .put("ttft_ms", percentiles("ttft|" + model, new JsonObject()))
          .put("latency_ms", percentiles("latency|" + model, new JsonObject())));
    }
    snapshot.put("models", modelArray);

    previousCounts = counts;
    previousAtNanos = now;
    return snapshot;
  }

  private static String topFrame(BlockedThreads.Event event) {
    return event.stack().stream().filter(f -> f.startsWith("dev.agentloop")).findFirst()
        .orElse(event.stack().isEmpty() ? "" : event.stack().get(0));
  }

  private double rate(Map<String, Double> counts, double seconds, String key) {
    if (seconds <= 0) {
      return 0;
    }
    double delta = counts.getOrDefault(key, 0.0) - previousCounts.getOrDefault(key, 0.0);
    return round(Math.max(0, delta) / seconds);
  }

  /** p50/p95/p99 in ms over the samples kept, from bucket counts; empty when nothing was recorded. */
  private JsonObject percentiles(String key, JsonObject into) {
    TreeMap<Double, Double> newest = histograms.peekLast().get(key);
    if (newest == null) {
      return into;
    }
    boolean window = histograms.size() > 1;
    TreeMap<Double, Double> oldest = window ? histograms.peekFirst().getOrDefault(key, new TreeMap<>()) : new TreeMap<>();
    double total = histogramCounts.peekLast().getOrDefault(key, 0.0)
        - (window ? histogramCounts.peekFirst().getOrDefault(key, 0.0) : 0.0);
    if (total <= 0) {
      return into;
    }
    into.put("count", total);
    for (double q : new double[] {0.5, 0.95, 0.99}) {
      double target = q * total;
      double lowerBound = 0;
      double lowerCount = 0;
      Double found = null;
      for (Map.Entry<Double, Double> bucket : newest.entrySet()) {
        double cumulative = bucket.getValue() - oldest.getOrDefault(bucket.getKey(), 0.0);
        if (cumulative >= target) {
          double inBucket = cumulative - lowerCount;
          double fraction = inBucket <= 0 ? 1 : (target - lowerCount) / inBucket;
          found = lowerBound + (bucket.getKey() - lowerBound) * fraction;
          break;
        }
        lowerBound = bucket.getKey();
        lowerCount = cumulative;
      }
      into.put("p" + Math.round(q * 100), round(found == null ? lowerBound : found));
    }
    return into;
  }

  private static void histogram(Map<String, TreeMap<Double, Double>> into, Map<String, Double> counts, String key,
      Timer timer) {
    TreeMap<Double, Double> buckets = into.computeIfAbsent(key, k -> new TreeMap<>());
    for (CountAtBucket bucket : timer.takeSnapshot().histogramCounts()) {
      buckets.merge(bucket.bucket(TimeUnit.MILLISECONDS), bucket.count(), Double::sum);
    }
    counts.merge(key, (double) timer.count(), Double::sum);
  }

  private static double count(Meter meter) {
    if (meter instanceof Counter counter) {
      return counter.count();
    }
    if (meter instanceof FunctionCounter counter) {
      return counter.count();
    }
    double sum = 0;
    for (var measurement : meter.measure()) {
      sum += measurement.getValue();
    }
    return sum;
  }

  private static double value(Meter meter) {
    if (meter instanceof Gauge gauge) {
      double value = gauge.value();
      return Double.isNaN(value) ? 0 : value;
    }
    double sum = 0;
    for (var measurement : meter.measure()) {
      sum += measurement.getValue();
    }
    return sum;
  }

  private static void add(Map<String, Double> into, String key, double value) {
    into.merge(key, value, Double::sum);
  }

  private static double round(double value) {
    return Math.round(value * 10) / 10.0;
  }
}
