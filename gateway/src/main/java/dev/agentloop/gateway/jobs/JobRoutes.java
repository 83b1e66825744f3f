package dev.agentloop.gateway.jobs;

import dev.agentloop.common.Addresses;
import dev.agentloop.common.ApiException;
import dev.agentloop.common.openai.ChatWire;
import dev.agentloop.common.openai.HttpErrors;
import dev.agentloop.common.openai.SseRelay;
import dev.agentloop.gateway.ChatBodies;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/** {@code /v1/jobs}: create (202 at once), status, progress as server-sent events, cancel. */
public final class JobRoutes {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true).setSendTimeout(10_000);

  private final Vertx vertx;
  private final ChatBodies bodies;

  public JobRoutes(Vertx vertx, ChatBodies bodies) {
    this.vertx = vertx;
    this.bodies = bodies;
  }

  public void mount(Router router) {
    router.post("/v1/jobs").handler(this::create);
    router.get("/v1/jobs/:id").handler(ctx -> reply(ctx, ask(Addresses.JOBS_GET, ctx.pathParam("id")), 200));
    router.delete("/v1/jobs/:id").handler(ctx -> reply(ctx, ask(Addresses.JOBS_CANCEL, ctx.pathParam("id")), 200));
    router.get("/v1/jobs/:id/events").handler(this::events);
  }

  private void create(RoutingContext ctx) {
    JobRequest request;
    try {
      request = JobRequest.from(bodies.json(ctx), bodies);
    } catch (ApiException e) {
      HttpErrors.send(ctx.response(), e);
      return;
    }
    Future<JsonObject> created = vertx.eventBus().<JsonObject>request(Addresses.JOBS_CREATE, request.toJson(), LOCAL)
        .map(reply -> reply.body());
    created.onSuccess(job -> ctx.response().putHeader("location", "/v1/jobs/" + job.getString("id")));
    reply(ctx, created, 202);
  }

  private Future<JsonObject> ask(String address, String id) {
    return vertx.eventBus().<JsonObject>request(address, new JsonObject().put("id", id), LOCAL).map(reply -> reply.body());
  }

  private static void reply(RoutingContext ctx, Future<JsonObject> answer, int status) {
    answer.onSuccess(job -> ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
            .end(job.toBuffer()))
        .onFailure(failure -> HttpErrors.send(ctx.response(), ApiException.from(failure, "jobs service")));
  }

  /**
   * The job's progress as SSE: the current state first, then one event per change, then
   * {@code [DONE]} once the job is finished. Subscribes before reading the state so no change
   * can fall between the two.
   */
  private void events(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    HttpServerResponse response = ctx.response();
    List<JsonObject> early = new ArrayList<>();
    int[] seen = {-1};
    MessageConsumer<JsonObject> consumer = vertx.eventBus().localConsumer(Addresses.jobEvents(id));
    consumer.handler(message -> {
      if (seen[0] < 0) {
        early.add(message.body());
      } else {
        follow(consumer, response, message.body(), seen[0]);
      }
    });
    consumer.completion().compose(v -> ask(Addresses.JOBS_GET, id)).onComplete(ar -> {
      if (ar.failed()) {
        consumer.unregister();
        HttpErrors.send(response, ApiException.from(ar.cause(), "jobs service"));
        return;
      }
      SseRelay.writeHeaders(response);
      response.closeHandler(v -> consumer.unregister());
      JsonObject job = ar.result();
      seen[0] = job.getJsonObject("progress").getInteger("done");
      if (!write(response, new JsonObject().put("id", id).put("object", "job.progress")
          .put("status", job.getString("status")).put("progress", job.getJsonObject("progress")))) {
        consumer.unregister();
        return;
      }
      early.forEach(event -> follow(consumer, response, event, seen[0]));
      early.clear();
    });
  }

  /** Writes a published event unless it is older than the snapshot already sent (progress stays monotonic). */
  private static void follow(MessageConsumer<JsonObject> consumer, HttpServerResponse response, JsonObject event,
      int snapshotDone) {
    boolean stale = event.getJsonObject("progress").getInteger("done") < snapshotDone
        && !Job.TERMINAL.contains(event.getString("status"));
    if (!stale && !write(response, event)) {
      consumer.unregister();
    }
  }

  /** Writes one event; after a terminal status ends the stream and answers false. */
  private static boolean write(HttpServerResponse response, JsonObject event) {
    if (response.ended() || response.closed()) {
      return false;
    }
    response.write(ChatWire.event(event));
    if (Job.TERMINAL.contains(event.getString("status"))) {
      response.end(ChatWire.DONE);
      return false;
    }
    return true;
  }
}
