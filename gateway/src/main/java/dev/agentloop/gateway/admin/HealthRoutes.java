package dev.agentloop.gateway.admin;

import dev.agentloop.contract.Addresses;
import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.node.Node;
import dev.agentloop.contract.stream.StreamProtocol;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /health/live} answers while the process serves HTTP. {@code /health/ready} answers 200 only
 * when every service the gateway needs answers its ping over the event bus, the process is (when
 * clustered) a cluster member, and it is not shutting down; the body says which check failed.
 *
 * <p>Each check is a vertx-health-check procedure with its own timeout: one that does not answer in
 * time is DOWN, and the endpoint still answers. The body keeps this project's shape
 * ({@code {"status","checks":[{"id","status","error"?,"data"?}]}}, 200 or 503) rather than the
 * library's handler's, which adds {@code outcome}, puts the error under {@code data.cause} and
 * answers 500 when a procedure timed out.
 */
public final class HealthRoutes {

  static final long CHECK_TIMEOUT_MS = 1_000;

  private final Vertx vertx;
  private final Node node;
  private final long timeoutMs;
  private final HealthChecks readiness;
  private final HealthChecks liveness;
  private final List<String> readyIds = new ArrayList<>();
  /** The bus address each ping check asks, named in its result even when it timed out. */
  private final Map<String, String> addresses = new HashMap<>();

  public HealthRoutes(Vertx vertx, Node node) {
    this(vertx, node, CHECK_TIMEOUT_MS);
  }

  HealthRoutes(Vertx vertx, Node node, long timeoutMs) {
    this.vertx = vertx;
    this.node = node;
    this.timeoutMs = timeoutMs;
    this.liveness = HealthChecks.create(vertx).register("event_loop", timeoutMs, promise -> promise.complete(
        Status.OK(new JsonObject().put("data", new JsonObject().put("thread", Thread.currentThread().getName())))));
    this.readiness = HealthChecks.create(vertx);
    ping("llm", Addresses.LLM_PING);
    ping("storage", Addresses.STORAGE_PING);
    ready("accepting", this::accepting);
    if (node.clusterManager() != null) {
      ready("cluster", this::cluster);
    }
  }

  public void mount(Router router) {
    router.get("/health/live").handler(ctx -> answer(ctx, liveness, List.of("event_loop")));
    router.get("/health/ready").handler(ctx -> answer(ctx, readiness, readyIds));
  }

  private void ready(String id, Handler<Promise<Status>> procedure) {
    readiness.register(id, timeoutMs, procedure);
    readyIds.add(id);
  }

  private void answer(RoutingContext ctx, HealthChecks checks, List<String> ids) {
    checks.checkStatus().onSuccess(result -> {
      JsonObject body = body(result, ids);
      ctx.response().setStatusCode("UP".equals(body.getString("status")) ? 200 : 503);
      ctx.json(body);
    }).onFailure(ctx::fail);
  }

  /**
   * The outcome in the documented shape, the checks in the order they were registered. A procedure
   * reports its check's {@code data} and {@code error} as its status's data.
   */
  private JsonObject body(CheckResult result, List<String> ids) {
    JsonArray checks = new JsonArray();
    boolean up = true;
    for (String id : ids) {
      CheckResult check = result.getChecks().stream().filter(c -> id.equals(c.getId())).findFirst().orElse(null);
      boolean checkUp = check != null && check.getUp();
      up &= checkUp;
      JsonObject json = new JsonObject().put("id", id).put("status", checkUp ? "UP" : "DOWN");
      if (addresses.containsKey(id)) {
        json.put("address", addresses.get(id));
      }
      if (check != null && check.getStatus() != null) {
        json.mergeIn(check.getStatus().getData()); // "data", "error": what the procedure reported
      }
      if (!checkUp && !json.containsKey("error")) {
        json.put("error", error(check));
      }
      checks.add(json);
    }
    return new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", checks);
  }

  private String error(CheckResult check) {
    if (check == null) {
      return "The check did not run.";
    }
    if (check.getFailure() != null) {
      String message = check.getFailure().getMessage();
      return "Timeout".equals(message) ? "The check did not answer within " + timeoutMs + " ms." : message;
    }
    return "The check failed.";
  }

  private void ping(String id, String address) {
    addresses.put(id, address);
    ready(id, promise -> ping(promise, id, address));
  }

  /** A service's ping: its reply is the check's data; a service whose handlers are all gone is named. */
  private void ping(Promise<Status> promise, String id, String address) {
    // the bus timeout is past the check's, so the check's timeout is the one that bounds it
    vertx.eventBus().<JsonObject>request(address, new JsonObject(), StreamProtocol.timeout(timeoutMs * 2))
        .onSuccess(reply -> promise.tryComplete(Status.OK(new JsonObject().put("data", reply.body()))))
        .onFailure(failure -> promise.tryComplete(Status.KO(new JsonObject().put("error", failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS
                ? "No event-bus handler for " + address + ": the " + id + " service is not deployed."
                : ApiException.from(failure, id + " service").getMessage()))));
  }

  private void cluster(Promise<Status> promise) {
    ClusterManager manager = node.clusterManager();
    boolean member = manager.isActive() && manager.getNodes().contains(manager.getNodeId());
    promise.complete(member
        ? Status.OK(new JsonObject().put("data", new JsonObject().put("node", manager.getNodeId())
            .put("members", manager.getNodes().size())))
        : Status.KO(new JsonObject().put("error", "This node is not an active member of the cluster.")));
  }

  private void accepting(Promise<Status> promise) {
    promise.complete(node.state().isDraining()
        ? Status.KO(new JsonObject().put("error", "The process is shutting down.")) : Status.OK());
  }
}
