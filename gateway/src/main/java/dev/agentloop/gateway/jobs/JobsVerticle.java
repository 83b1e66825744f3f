package dev.agentloop.gateway.jobs;

import dev.agentloop.common.Addresses;
import dev.agentloop.common.ApiException;
import dev.agentloop.common.config.Settings;
import dev.agentloop.common.openai.ChatService;
import dev.agentloop.common.openai.ChatWire;
import dev.agentloop.gateway.ChatBodies;
import dev.agentloop.gateway.resilience.ResilientChatService;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs background jobs: each a batch of chat requests with at most {@code concurrency} in flight
 * (like a pool of {@code asyncio.create_task} behind a semaphore). The state lives on this
 * verticle's event loop and in a {@link JobStore}; every change is saved (coalesced: at most one
 * write queued per job) and published as progress on {@link Addresses#jobEvents}. One instance per
 * process, reached through local-only addresses, so jobs belong to the node that accepted them.
 */
public final class JobsVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(JobsVerticle.class);
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final Map<String, Job> jobs = new java.util.concurrent.ConcurrentHashMap<>(); // the scrape reads it
  private JobStore store;
  private ChatService models;
  private ChatBodies bodies;
  private boolean stopping;

  @Override
  public Future<?> start() {
    String dataDir = Settings.root(config()).section("storage").string("data_dir", "./data");
    store = new FileJobStore(vertx.createSharedWorkerExecutor("agentloop-jobs-io", 2, 30, TimeUnit.SECONDS),
        Path.of(dataDir, "jobs"));
    models = ResilientChatService.create(vertx, config());
    bodies = ChatBodies.from(config());
    io.micrometer.core.instrument.MeterRegistry registry = dev.agentloop.common.metrics.Metrics.registry(config());
    for (String state : java.util.List.of(Job.QUEUED, Job.RUNNING, Job.COMPLETED, Job.CANCELLED, Job.INTERRUPTED)) {
      io.micrometer.core.instrument.Gauge.builder("agentloop_jobs", jobs,
              all -> all.values().stream().filter(job -> state.equals(job.status)).count())
          .description("Background jobs of this process, by state").tag("state", state).register(registry);
    }
    return store.loadAll().compose(this::restore).compose(v -> Future.all(
        vertx.eventBus().<JsonObject>localConsumer(Addresses.JOBS_CREATE, this::create).completion(),
        vertx.eventBus().<JsonObject>localConsumer(Addresses.JOBS_GET, this::get).completion(),
        vertx.eventBus().<JsonObject>localConsumer(Addresses.JOBS_CANCEL, this::cancel).completion()));
  }

  @Override
  public Future<?> stop() {
    stopping = true; // jobs still running stay "running" on disk and read back as interrupted
    return Future.join(jobs.values().stream().map(job -> job.lastWrite).toList());
  }

  private Future<Void> restore(List<JsonObject> stored) {
    List<Future<Void>> writes = new java.util.ArrayList<>();
    for (JsonObject json : stored) {
      Job job = Job.restore(json);
      jobs.put(job.id, job);
      if (!json.getString("status", "").equals(job.status)) {
        LOG.info("Job {} was {} when its process stopped: now {}", job.id, json.getString("status"), job.status);
        writes.add(persist(job));
      }
    }
    return Future.all(writes).mapEmpty();
  }

  private void create(Message<JsonObject> message) {
    JobRequest request;
    try {
      request = JobRequest.from(message.body(), bodies);
    } catch (ApiException e) {
      e.failReply(message);
      return;
    }
    Job job = Job.create("job_" + UUID.randomUUID().toString().replace("-", ""), request.requests(),
        request.concurrency());
    jobs.put(job.id, job);
    persist(job).onComplete(ar -> {
      if (ar.failed()) {
        jobs.remove(job.id);
        LOG.error("Could not store job {}", job.id, ar.cause());
        ApiException.internal("The job could not be stored.").failReply(message);
        return;
      }
      message.reply(job.toJson());
      job.status = Job.RUNNING;
      job.startedAt = System.currentTimeMillis() / 1000;
      changed(job, null);
      launch(job);
    });
  }

  private void launch(Job job) {
    while (!stopping && job.status.equals(Job.RUNNING) && job.running.size() < job.concurrency
        && job.next < job.requests.size()) {
      int index = job.next++;
      job.running.add(index);
      job.results.getJsonObject(index).put("status", Job.RUNNING);
      long started = System.nanoTime();
      models.complete(job.request(index)).onComplete(ar -> {
        if (stopping || !job.running.contains(index)) {
          return; // cancelled: already recorded
        }
        double latencyMs = Math.round((System.nanoTime() - started) / 1e5) / 10.0;
        if (ar.succeeded()) {
          var answer = ar.result();
          job.record(index, "ok", new JsonObject().put("latency_ms", latencyMs).put("completion",
              ChatWire.completion(job.id + "-" + index, System.currentTimeMillis() / 1000, answer.model(),
                  answer.content(), answer.finishReason(), answer.usage())));
        } else {
          job.fail(index, ApiException.from(ar.cause(), "llm-service"));
          job.results.getJsonObject(index).put("latency_ms", latencyMs);
        }
        if (job.next >= job.requests.size() && job.running.isEmpty()) {
          job.status = Job.COMPLETED;
          job.finishedAt = System.currentTimeMillis() / 1000;
        }
        changed(job, job.results.getJsonObject(index));
        launch(job);
      });
    }
  }

  private void get(Message<JsonObject> message) {
    Job job = jobs.get(message.body().getString("id"));
    if (job == null) {
      ApiException.notFound("No job with id `" + message.body().getString("id") + "`.").failReply(message);
      return;
    }
    message.reply(job.toJson());
  }

  private void cancel(Message<JsonObject> message) {
    Job job = jobs.get(message.body().getString("id"));
    if (job == null) {
      ApiException.notFound("No job with id `" + message.body().getString("id") + "`.").failReply(message);
      return;
    }
    if (!job.finished()) {
      job.status = Job.CANCELLED;
      job.finishedAt = System.currentTimeMillis() / 1000;
      for (Integer index : List.copyOf(job.running)) {
        job.record(index, Job.CANCELLED, new JsonObject());
        models.cancel(job.id + "-" + index);
      }
      for (int i = job.next; i < job.requests.size(); i++) {
        job.results.getJsonObject(i).put("status", Job.CANCELLED);
      }
      job.next = job.requests.size();
      changed(job, null);
    }
    job.lastWrite.onComplete(ar -> message.reply(job.toJson()));
  }

  /** Saves the job and tells whoever follows its events. */
  private void changed(Job job, JsonObject item) {
    persist(job);
    vertx.eventBus().publish(Addresses.jobEvents(job.id), job.event(item), LOCAL);
  }

  private Future<Void> persist(Job job) {
    if (!job.writeQueued) {
      job.writeQueued = true;
      job.lastWrite = job.lastWrite.transform(previous -> {
        job.writeQueued = false;
        return store.save(job.toStored());
      }).onFailure(failure -> LOG.error("Could not store job {}", job.id, failure));
    }
    return job.lastWrite;
  }
}
