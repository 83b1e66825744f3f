package dev.agentloop.gateway.jobs;

import dev.agentloop.contract.Services;
import dev.agentloop.contract.stream.Delta;
import dev.agentloop.contract.Addresses;
import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.config.HttpLimits;
import dev.agentloop.contract.node.Node;
import dev.agentloop.contract.stream.StreamTimeouts;
import dev.agentloop.front.guards.Admission;
import dev.agentloop.contract.chat.ChatService;
import dev.agentloop.front.openai.ChatWire;
import dev.agentloop.contract.chat.Completion;
import dev.agentloop.contract.storage.JobIds;
import dev.agentloop.contract.storage.Owners;
import dev.agentloop.contract.stream.StreamProtocol;
import dev.agentloop.front.ChatBodies;
import dev.agentloop.gateway.storage.StorageClient;
import dev.agentloop.gateway.chain.Breakers;
import dev.agentloop.gateway.chain.ResilientChatService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs background jobs: each a batch of chat requests with at most {@code concurrency} in flight.
 * Jobs live in storage: the header
 * once, then each item's result as it ends. This verticle holds only the jobs it runs (admitted
 * against the job caps, each holding its slot until it finishes) and their watchers, who get the
 * progress as a back-pressured stream ({@link JobWatch}). One instance per process, reached through
 * local-only addresses, so a job runs on the node that accepted it.
 */
public final class JobsVerticle extends VerticleBase {

  static final int FIRST_PAGE = 100;

  private final Map<String, Job> jobs = new ConcurrentHashMap<>(); // the scrape reads it
  private final Map<String, Counter> finished = new ConcurrentHashMap<>();
  private final JobsConfig config;
  private final HttpLimits limits;
  private final Function<String, StreamTimeouts> timeouts;
  private final Node self;
  private final Admission admission;
  private final Breakers breakers;
  private final String node;
  private JobStorage storage;
  private ResilientChatService models;
  private ChatBodies bodies;
  private JobWatchers watchers;
  private final String incarnation = UUID.randomUUID().toString();
  private boolean stopping;

  /**
   * {@code limits} check the items' chat requests, {@code timeouts} are the per-model ones;
   * {@code admission} and {@code breakers} are the node's, shared with both fronts and the agent runs.
   */
  public JobsVerticle(JobsConfig config, HttpLimits limits, Function<String, StreamTimeouts> timeouts, Node node,
      Admission admission, Breakers breakers) {
    this.config = config;
    this.limits = limits;
    this.timeouts = timeouts;
    this.self = node;
    this.node = node.id();
    this.admission = admission;
    this.breakers = breakers;
  }

  @Override
  public Future<?> start() {
    storage = new JobStorage(vertx, new StorageClient(vertx), config.pageMaxBytes());
    models = ResilientChatService.create(vertx, timeouts, breakers, self.state());
    bodies = new ChatBodies(limits);
    MeterRegistry registry = self.registry();
    metrics(registry);
    watchers = new JobWatchers(config, registry);
    JobsUpkeep upkeep = new JobsUpkeep(vertx, storage, config, () -> stopping);
    vertx.setPeriodic(config.sweepIntervalMs(), id -> upkeep.sweep(0));
    return Future.all(List.of(models.ready(),
            on(Addresses.JOBS_CREATE, this::create), on(Addresses.JOBS_GET, this::get),
            on(Addresses.JOBS_RESULTS, this::results), on(Addresses.JOBS_CANCEL, this::cancel),
            on(Addresses.JOBS_WATCH, this::watch),
            vertx.eventBus().<JsonObject>localConsumer(Addresses.JOBS_UNWATCH,
                message -> watchers.unwatch(String.valueOf(message.body().getValue("id")))).completion()))
        .compose(v -> upkeep.interruptPrevious(node, incarnation, finished.get(Job.INTERRUPTED)))
        .onComplete(v -> upkeep.sweep(0));
  }

  @Override
  public Future<?> stop() {
    stopping = true; // jobs still running stay "running" in storage and read back as interrupted
    storage.stop();
    jobs.values().forEach(job -> job.permit.release());
    return Future.succeededFuture();
  }

  private void metrics(MeterRegistry registry) {
    for (String state : List.of(Job.QUEUED, Job.RUNNING)) {
      Gauge.builder("agentloop_jobs", jobs, all -> all.values().stream().filter(job -> state.equals(job.status)).count())
          .description("Background jobs this process runs now, by state").tag("state", state).register(registry);
    }
    for (String state : List.of(Job.COMPLETED, Job.CANCELLED, Job.INTERRUPTED)) {
      finished.put(state, Counter.builder("agentloop_jobs_finished").tag("state", state)
          .description("Background jobs of this node finished, by how they ended").register(registry));
    }
  }

  private void create(Message<JsonObject> message) {
    JobRequest request = JobRequest.from(message.body(), bodies);
    String owner = Owners.owner(message.body().getValue("owner"), "owner");
    JsonObject keyed = message.body().getValue("idempotency") instanceof JsonObject k ? k : null;
    Admission.Permit permit = admission.admit(Admission.Kind.JOB,
        message.body().getValue("client") instanceof String client ? client : "unknown");
    Job job = new Job(JobIds.newId(), owner, request.requests(), request.concurrency(), permit);
    storage.create(job, node, incarnation, keyed).onComplete(ar -> {
      if (ar.failed()) {
        permit.release();
        ApiException.from(ar.cause(), Services.STORAGE_SERVICE).failReply(message);
        return;
      }
      if (keyed != null && ar.result().getBoolean("replayed", false)) {
        permit.release(); // the key's first job answers; this one was never stored
        message.reply(ar.result());
        return;
      }
      jobs.put(job.id, job);
      message.reply(keyed == null ? job.view() : ar.result());
      job.status = Job.RUNNING;
      job.startedAt = System.currentTimeMillis() / 1000;
      storage.update(job);
      JobWatchers.broadcast(job, null);
      launch(job);
    });
  }

  private void launch(Job job) {
    while (!stopping && job.canLaunch()) {
      int index = job.next;
      long started = System.nanoTime();
      models.complete(job.launchNext()).onComplete(ar -> ended(job, index, started, ar));
    }
  }

  /** An item ended: its result goes to storage (holding the item's place until stored) and to the watchers. */
  private void ended(Job job, int index, long startedNanos, AsyncResult<Completion> ar) {
    if (stopping || !job.running.remove(index)) {
      return; // cancelled: already counted
    }
    double latencyMs = Math.round((System.nanoTime() - startedNanos) / 1e5) / 10.0;
    JsonObject result = new JsonObject().put("index", index);
    if (ar.succeeded()) {
      job.succeeded++;
      var answer = ar.result();
      result.put("status", "ok").put("latency_ms", latencyMs).put("completion", ChatWire.completion(
          job.itemRequestId(index), System.currentTimeMillis() / 1000, answer.model(), answer.choices(),
          answer.finishReason(), answer.usage()));
    } else {
      job.failed++;
      ApiException error = ApiException.from(ar.cause(), Services.LLM_SERVICE);
      result.put("status", "error").put("latency_ms", latencyMs).put("status_code", error.status())
          .put("error", error.errorObject());
    }
    job.writing++;
    storage.record(job, result, job.state()).onComplete(written -> {
      job.writing--;
      if (job.allEnded()) { // completed once every result is stored: a client told so finds them all
        terminate(job, Job.COMPLETED);
        JobWatchers.broadcast(job, null);
      }
      finalizeIfDone(job);
      launch(job);
    });
    JobWatchers.broadcast(job, result);
    launch(job);
  }

  private void terminate(Job job, String status) {
    job.finish(status);
    finished.get(status).increment();
  }

  /** A finished job leaves memory (and frees its slot) once its last state is stored. */
  private void finalizeIfDone(Job job) {
    if (job.finished() && job.writing == 0 && !job.finalizing) {
      job.finalizing = true;
      storage.update(job).onComplete(ar -> {
        jobs.remove(job.id);
        job.permit.release();
      });
    }
  }

  private void get(Message<JsonObject> message) {
    String id = JobIds.require(message.body().getValue("id"));
    String owner = Owners.scope(message.body().getValue("owner"));
    Job job = running(owner, id);
    Future<JsonObject> answer = job == null ? storage.get(owner, id, FIRST_PAGE)
        : storage.results(owner, id, -1, FIRST_PAGE)
        .map(page -> job.view().put("results", job.overlay(page.getJsonArray("data")))
            .put("results_has_more", page.getBoolean("has_more")));
    reply(message, answer);
  }

  private void results(Message<JsonObject> message) {
    JsonObject body = message.body();
    String id = JobIds.require(body.getValue("id"));
    String owner = Owners.scope(body.getValue("owner"));
    Job job = running(owner, id);
    Future<JsonObject> page = storage.results(owner, id, body.getInteger("after", -1),
        body.getInteger("limit", FIRST_PAGE));
    reply(message, job == null ? page : page.map(p -> p.put("data", job.overlay(p.getJsonArray("data")))));
  }

  private void cancel(Message<JsonObject> message) {
    String id = JobIds.require(message.body().getValue("id"));
    String owner = Owners.scope(message.body().getValue("owner"));
    Job job = running(owner, id);
    if (job == null) {
      reply(message, storage.get(owner, id, 0).map(JobsVerticle::withoutResults));
      return;
    }
    if (!job.finished()) {
      List<Integer> inFlight = List.copyOf(job.running);
      terminate(job, Job.CANCELLED);
      inFlight.forEach(index -> models.cancel(job.itemRequestId(index)));
      JobWatchers.broadcast(job, null);
      finalizeIfDone(job);
    }
    message.reply(job.view());
  }

  /** A stream of the job's progress: the current state, then each change, until the job is finished. */
  private void watch(Message<JsonObject> message) {
    String watchId = message.body().getString("id");
    String id = JobIds.require(message.body().getValue("job_id"));
    String owner = Owners.scope(message.body().getValue("owner"));
    Job job = running(owner, id);
    if (job == null) {
      storage.get(owner, id, 0).onComplete(ar -> {
        if (ar.failed()) {
          ApiException.from(ar.cause(), Services.STORAGE_SERVICE).failReply(message);
        } else {
          JsonObject stored = ar.result();
          message.reply(StreamProtocol.lastBatch(List.of(Delta.event(new JsonObject().put("id", id)
              .put("object", "job.progress").put("status", stored.getString("status"))
              .put("progress", stored.getJsonObject("progress")))), "stop", new JsonObject()));
        }
      });
      return;
    }
    if (job.finished()) {
      message.reply(StreamProtocol.lastBatch(List.of(Delta.event(job.event())), "stop", new JsonObject()));
      return;
    }
    watchers.watch(message, watchId, job);
  }

  /**
   * The job if this process runs it; null otherwise, then storage answers (and decides ownership).
   * A running job of another owner is unknown to the caller, exactly as storage would say.
   */
  private Job running(String owner, String id) {
    Job job = jobs.get(id);
    if (job != null && !Owners.sees(owner, job.owner)) {
      throw JobIds.notFound(id);
    }
    return job;
  }

  private static JsonObject withoutResults(JsonObject job) {
    job.remove("results");
    job.remove("results_has_more");
    return job;
  }

  private static void reply(Message<JsonObject> message, Future<JsonObject> answer) {
    answer.onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(ar.result());
      } else {
        ApiException.from(ar.cause(), Services.STORAGE_SERVICE).failReply(message);
      }
    });
  }

  /** A local consumer whose handler may throw an {@code ApiException}: it becomes the failure reply. */
  private Future<Void> on(String address, Consumer<Message<JsonObject>> handler) {
    return vertx.eventBus().<JsonObject>localConsumer(address, message -> {
      try {
        if (!(message.body() instanceof JsonObject)) {
          throw ApiException.badRequest("The request must be a JSON object.", null);
        }
        handler.accept(message);
      } catch (ApiException e) {
        e.failReply(message);
      } catch (ClassCastException e) {
        ApiException.badRequest("A field of the request has the wrong type.", null).failReply(message);
      }
    }).completion();
  }
}
