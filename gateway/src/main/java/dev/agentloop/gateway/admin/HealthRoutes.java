package dev.agentloop.gateway.admin;

import dev.agentloop.contract.Addresses;
import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.node.Node;
import dev.agentloop.contract.stream.StreamProtocol;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /health/live} answers while the process serves HTTP. {@code /health/ready} answers 200 only
 * when every service the gateway needs answers its ping over the event bus, the process is (when
 * clustered) a cluster member, and it is not shutting down; the body says which check failed. A
 * service whose handlers are all gone answers NO_HANDLERS, so its check names the missing handlers.
 */
public final class HealthRoutes {

  private static final long PING_TIMEOUT_MS = 1_000;

  private final Vertx vertx;
  private final Node node;

  public HealthRoutes(Vertx vertx, Node node) {
    this.vertx = vertx;
    this.node = node;
  }

  public void mount(Router router) {
    router.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")
        .put("checks", new JsonArray().add(new JsonObject().put("id", "event_loop").put("status", "UP")
            .put("data", new JsonObject().put("thread", Thread.currentThread().getName()))))));
    router.get("/health/ready").handler(this::ready);
  }

  private void ready(RoutingContext ctx) {
    List<Future<JsonObject>> checks = new ArrayList<>(List.of(
        ping("llm", Addresses.LLM_PING),
        ping("storage", Addresses.STORAGE_PING),
        draining()));
    if (node.clusterManager() != null) {
      checks.add(cluster());
    }
    Future.join(checks).onComplete(ignored -> {
      JsonArray results = new JsonArray();
      boolean up = true;
      for (Future<JsonObject> check : checks) {
        JsonObject result = check.result();
        results.add(result);
        up &= "UP".equals(result.getString("status"));
      }
      ctx.response().setStatusCode(up ? 200 : 503);
      ctx.json(new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", results));
    });
  }

  private Future<JsonObject> ping(String id, String address) {
    return vertx.eventBus().<JsonObject>request(address, new JsonObject(), StreamProtocol.timeout(PING_TIMEOUT_MS))
        .map(reply -> new JsonObject().put("id", id).put("status", "UP").put("address", address)
            .put("data", reply.body()))
        .otherwise(failure -> new JsonObject().put("id", id).put("status", "DOWN").put("address", address)
            .put("error", failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS
                ? "No event-bus handler for " + address + ": the " + id + " service is not deployed."
                : ApiException.from(failure, id + " service").getMessage()));
  }

  private Future<JsonObject> cluster() {
    ClusterManager manager = node.clusterManager();
    JsonObject check = new JsonObject().put("id", "cluster");
    boolean member = manager.isActive() && manager.getNodes().contains(manager.getNodeId());
    if (member) {
      check.put("status", "UP").put("data", new JsonObject().put("node", manager.getNodeId())
          .put("members", manager.getNodes().size()));
    } else {
      check.put("status", "DOWN").put("error", "This node is not an active member of the cluster.");
    }
    return Future.succeededFuture(check);
  }

  private Future<JsonObject> draining() {
    boolean draining = node.state().isDraining();
    JsonObject check = new JsonObject().put("id", "accepting").put("status", draining ? "DOWN" : "UP");
    if (draining) {
      check.put("error", "The process is shutting down.");
    }
    return Future.succeededFuture(check);
  }
}
