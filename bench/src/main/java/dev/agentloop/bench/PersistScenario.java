package dev.agentloop.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chat turns persisted to the local store through the gateway (a figure, no target); the closed
 * loop of turns the PostgreSQL scenario repeats.
 */
final class PersistScenario extends AbstractScenario {

  static final int TURN_CLIENTS = 16;
  static final int CONVERSATIONS = 256;
  private static final Logger LOG = LoggerFactory.getLogger("bench");
  private static final String SCENARIO = "Turns persisted/s through the gateway, local store (figure only)";

  PersistScenario() {
    super("persist", "chat turns on stored conversations per second, local file store", true);
  }

  @Override
  public List<Verdict> run(BenchContext ctx) throws Exception {
    HttpResponse<byte[]> probe = BenchContext.post(ctx.gwPort, "/v1/conversations", "{}");
    if (probe.statusCode() == 404 || probe.statusCode() == 405) {
      return List.of(Verdict.notRun(SCENARIO, "—", "—", "POST /v1/conversations answers " + probe.statusCode()
          + " on this build (no conversation API yet)"));
    }
    if (probe.statusCode() / 100 != 2) {
      return List.of(Verdict.failed(SCENARIO, "—", "—", "POST /v1/conversations answered " + probe.statusCode()));
    }
    ctx.conversationsAvailable(true);
    LOG.info("== turns persisted (local store)");
    RequestLoad.Result r = turns(ctx, "turns, local store", null);
    ctx.report().figures().put("local_turns_per_s", BenchContext.round1(r.throughput()));
    return List.of(new Verdict(SCENARIO, String.format("%,.0f turns/s", r.throughput()), "—", r.throughput(),
        "turns/s", "—", "—", Verdict.Status.FIGURE, String.format("%d clients over %d conversations, mock-fast, "
            + "closed loop; p50 %s ms; errors %d", TURN_CLIENTS, CONVERSATIONS,
            Verdict.fmt(r.latency().percentileMs(50)), r.latency().errors())));
  }

  /** Closed-loop chat turns on the gateway, each on one of {@link #CONVERSATIONS} conversations created first. */
  static RequestLoad.Result turns(BenchContext ctx, String label, ServerProcess server) throws Exception {
    int gwPort = ctx.gwPort;
    List<Buffer> bodies = new ArrayList<>();
    for (int i = 0; i < CONVERSATIONS; i++) {
      HttpResponse<byte[]> created = BenchContext.post(gwPort, "/v1/conversations", "{}");
      if (created.statusCode() / 100 != 2) {
        throw new IOException("POST /v1/conversations answered " + created.statusCode() + ": "
            + new String(created.body()));
      }
      String id = new JsonObject(Buffer.buffer(created.body())).getString("id");
      bodies.add(Buffer.buffer(new JsonObject().put("model", "mock-fast").put("conversation_id", id)
          .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "Hello.")))
          .encode()));
    }
    Loads loads = ctx.loads();
    HttpClientAgent client = loads.client(TURN_CLIENTS);
    try {
      Target t = Target.post("turns", gwPort, "/v1/chat/completions", "{}");
      RequestLoad load = new RequestLoad(ctx.vertx(), client, t, bodies);
      load.closedLoop("warm-up " + label, TURN_CLIENTS, 0, loads.warmupMs()).await(5, TimeUnit.MINUTES);
      return loads.closed(load, label, TURN_CLIENTS, 500, server);
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
    }
  }
}
