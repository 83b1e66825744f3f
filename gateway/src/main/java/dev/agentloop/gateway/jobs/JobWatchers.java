package dev.agentloop.gateway.jobs;

import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.storage.JsonSize;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The clients following running jobs, capped per job and in all, and what they are told: each change
 * of a job, with the result of the item that ended, and the end when the job finishes. Confined to
 * the jobs verticle's event loop (the map is concurrent for the metrics scrape only).
 */
final class JobWatchers {

  private final Map<String, JobWatch> watches = new ConcurrentHashMap<>();
  private final JobsConfig config;

  JobWatchers(JobsConfig config, MeterRegistry registry) {
    this.config = config;
    Gauge.builder("agentloop_job_watchers", watches, Map::size)
        .description("Clients following a job's events now").register(registry);
    Gauge.builder("agentloop_job_watchers_buffered_bytes", watches,
            all -> all.values().stream().mapToLong(JobWatch::bufferedBytes).sum())
        .description("Bytes of events held for watchers whose clients do not keep up").register(registry);
  }

  /** Starts the stream of {@code job} that {@code message} asks for, or throws a 429 past a cap. */
  void watch(Message<?> message, String watchId, Job job) {
    if (job.watchers.size() >= config.watchersPerJob()) {
      throw ApiException.tooManyRequests("Too many watchers: at most " + config.watchersPerJob() + " per job.", 1);
    }
    if (watches.size() >= config.watchersTotal()) {
      throw ApiException.tooManyRequests("Too many watchers: at most " + config.watchersTotal() + " in all.", 1);
    }
    if (watchId == null || watches.containsKey(watchId)) {
      throw ApiException.badRequest("A watch needs an id of its own.", "id");
    }
    JobWatch watch = new JobWatch(watchId, job, message, config.watcherBufferBytes(), config.watcherAckTimeoutMs());
    job.watchers.add(watch);
    watches.put(watchId, watch);
    watch.producer().closed().onComplete(v -> {
      watches.remove(watchId, watch);
      job.watchers.remove(watch);
    });
    watch.offer(job.event(), null, 0);
  }

  /** The client of this watch went away. */
  void unwatch(String watchId) {
    JobWatch watch = watches.get(watchId);
    if (watch != null) {
      watch.cancel();
    }
  }

  /** Tells the job's watchers of a change, with the item's result when one ended; a finished job ends their streams. */
  static void broadcast(Job job, JsonObject result) {
    JsonObject event = job.event();
    JsonObject withItem = result == null ? null : job.event().put("item", result);
    if (job.finished()) {
      List.copyOf(job.watchers).forEach(watch -> watch.finish(withItem != null ? withItem : event));
      job.watchers.clear();
      return;
    }
    long bytes = withItem == null ? 0 : JsonSize.estimate(withItem);
    job.watchers.forEach(watch -> watch.offer(event, withItem, bytes));
  }
}
