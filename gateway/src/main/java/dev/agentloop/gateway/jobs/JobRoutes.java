package dev.agentloop.gateway.jobs;

import dev.agentloop.contract.Addresses;
import dev.agentloop.contract.ApiException;
import dev.agentloop.front.guards.Owner;
import dev.agentloop.front.ClientId;
import dev.agentloop.front.openai.EventRelay;
import dev.agentloop.front.HttpErrors;
import dev.agentloop.contract.stream.StreamTimeouts;
import dev.agentloop.contract.stream.TokenStream;
import dev.agentloop.front.ChatBodies;
import dev.agentloop.gateway.idempotency.Idempotency;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * {@code /v1/jobs}: create (202 at once), the job with its first page of results, the results paged
 * by index, progress as server-sent events with back-pressure, cancel. A job belongs to the key that
 * created it: another key gets a 404 for it (an admin key sees all).
 */
public final class JobRoutes {

  static final int MAX_PAGE = 1_000;
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true).setSendTimeout(10_000);
  /** A job may go quiet for long (one slow item): no stall or total timeout; the watch is in this process. */
  private static final StreamTimeouts WATCH = new StreamTimeouts(10_000, 24L * 3600 * 1000, 0);

  static final String ROUTE = "POST /v1/jobs";

  private final Vertx vertx;
  private final ChatBodies bodies;
  private final long slowReaderTimeoutMs;
  private final Idempotency idempotency;

  public JobRoutes(Vertx vertx, ChatBodies bodies, long slowReaderTimeoutMs, Idempotency idempotency) {
    this.vertx = vertx;
    this.bodies = bodies;
    this.slowReaderTimeoutMs = slowReaderTimeoutMs;
    this.idempotency = idempotency;
  }

  public void mount(Router router) {
    router.post("/v1/jobs").handler(this::create);
    router.get("/v1/jobs/:id").handler(ctx -> reply(ctx, ask(Addresses.JOBS_GET, id(ctx)), 200));
    router.get("/v1/jobs/:id/results").handler(this::results);
    router.delete("/v1/jobs/:id").handler(ctx -> reply(ctx, ask(Addresses.JOBS_CANCEL, id(ctx)), 200));
    router.get("/v1/jobs/:id/events").handler(this::events);
  }

  /** The job the path names, for the caller's key: another key's job is unknown to it (404). */
  private static JsonObject id(RoutingContext ctx) {
    return new JsonObject().put("id", ctx.pathParam("id")).put("owner", Owner.of(ctx).scope());
  }

  /** With an {@code Idempotency-Key}, created once: the same key and body answer the first job again. */
  private void create(RoutingContext ctx) {
    JsonObject body;
    JobRequest request;
    try {
      body = bodies.json(ctx);
      request = JobRequest.from(body, bodies);
    } catch (ApiException e) {
      ctx.fail(e);
      return;
    }
    JsonObject job = request.toJson().put("client", ClientId.of(ctx)).put("owner", Owner.of(ctx).id());
    idempotency.begin(ctx, ROUTE, body)
        .compose(attempt -> attempt.replay() != null ? Future.succeededFuture(attempt.replay())
            : attempt.write(202, null, keyed -> ask(Addresses.JOBS_CREATE, keyed == null ? job
                : job.put("idempotency", keyed))))
        .onSuccess(recorded -> {
          JsonObject created = recorded.getJsonObject("body", new JsonObject());
          ctx.response().putHeader("location", "/v1/jobs/" + created.getString("id"));
          Idempotency.send(ctx, recorded);
        })
        .onFailure(HttpErrors.failWith(ctx, "jobs service"));
  }

  private void results(RoutingContext ctx) {
    JsonObject query = id(ctx);
    try {
      query.put("limit", integer(ctx, "limit", 1, MAX_PAGE, JobsVerticle.FIRST_PAGE))
          .put("after", integer(ctx, "after", -1, Integer.MAX_VALUE, -1));
    } catch (ApiException e) {
      ctx.fail(e);
      return;
    }
    reply(ctx, ask(Addresses.JOBS_RESULTS, query), 200);
  }

  private static int integer(RoutingContext ctx, String name, int min, int max, int fallback) {
    String value = ctx.queryParams().get(name);
    if (value == null) {
      return fallback;
    }
    try {
      long n = Long.parseLong(value.trim());
      if (n >= min && n <= max) {
        return (int) n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiException.badRequest("Invalid '" + name + "': expected an integer between " + min + " and " + max + ".",
        name, "invalid_value");
  }

  private Future<JsonObject> ask(String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body, LOCAL).map(reply -> reply.body());
  }

  private static void reply(RoutingContext ctx, Future<JsonObject> answer, int status) {
    answer.onSuccess(job -> ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
            .end(job.toBuffer()))
        .onFailure(HttpErrors.failWith(ctx, "jobs service"));
  }

  /**
   * The job's progress as SSE, over the stream protocol from the jobs verticle: the current state,
   * then each change, then {@code [DONE]} once the job is finished. A client that does not read holds
   * the stream back, and its watch coalesces; one that leaves ends its watch.
   */
  private void events(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    JsonObject watch = new JsonObject().put("id", "watch_" + UUID.randomUUID().toString().replace("-", ""))
        .put("job_id", ctx.pathParam("id")).put("owner", Owner.of(ctx).scope());
    TokenStream.open(vertx, Addresses.JOBS_WATCH, Addresses.JOBS_UNWATCH, watch, WATCH, "jobs service")
        .onComplete(ar -> {
          if (ar.failed()) {
            ctx.fail(HttpErrors.forClient(ar.cause(), "jobs service"));
          } else if (response.closed()) {
            ar.result().cancel();
          } else {
            new EventRelay(vertx, response, ar.result(), slowReaderTimeoutMs).start();
          }
        });
  }
}
