package dev.agentloop.gateway.admin;

import dev.agentloop.contract.node.Node;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.contract.Addresses;
import dev.agentloop.contract.node.NodeState;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("health checks through vertx-health-check")
class HealthRoutesTest {

  private Vertx vertx;
  private final Node node = Node.standalone("health-test", new SimpleMeterRegistry());
  private HttpServer server;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    vertx.eventBus().<JsonObject>consumer(Addresses.STORAGE_PING, msg -> msg.reply(new JsonObject()
        .put("service", "storage").put("backend", "local"))).completion().await(5, TimeUnit.SECONDS);
    Router router = Router.router(vertx);
    new HealthRoutes(vertx, node, 200).mount(router);
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.actualPort() + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject check(JsonObject body, String id) {
    return body.getJsonArray("checks").stream().map(JsonObject.class::cast).filter(c -> id.equals(c.getString("id")))
        .findFirst().orElseThrow(() -> new AssertionError("no check " + id + " in " + body));
  }

  @Test
  @DisplayName("a check that never answers is DOWN after its timeout, and the others still report")
  void hanging_check_is_down_within_its_timeout() throws Exception {
    // an llm "instance" that takes the ping and never replies
    vertx.eventBus().consumer(Addresses.LLM_PING, msg -> { }).completion().await(5, TimeUnit.SECONDS);

    HttpResponse<String> response = get("/health/ready");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonObject body = new JsonObject(response.body());
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("status", "checks");
    assertThat(body.getString("status")).isEqualTo("DOWN");
    assertThat(body.getJsonArray("checks").stream().map(c -> ((JsonObject) c).getString("id")))
        .containsExactly("llm", "storage", "accepting");
    JsonObject llm = check(body, "llm");
    assertThat(llm.getString("status")).isEqualTo("DOWN");
    assertThat(llm.getString("error")).isEqualTo("The check did not answer within 200 ms.");
    assertThat(llm.getString("address")).isEqualTo(Addresses.LLM_PING);
    JsonObject storage = check(body, "storage");
    assertThat(storage.getString("status")).isEqualTo("UP");
    assertThat(storage.getJsonObject("data").getString("backend")).isEqualTo("local");
    assertThat(storage.containsKey("error")).isFalse();
    assertThat(check(body, "accepting").getString("status")).isEqualTo("UP");
  }

  @Test
  @DisplayName("every check up is a 200; draining turns 'accepting' DOWN and readiness 503")
  void draining_turns_readiness_down() throws Exception {
    vertx.eventBus().<JsonObject>consumer(Addresses.LLM_PING, msg -> msg.reply(new JsonObject().put("service", "llm")))
        .completion().await(5, TimeUnit.SECONDS);
    HttpResponse<String> ready = get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(ready.body()).getString("status")).isEqualTo("UP");

    node.state().draining();
    HttpResponse<String> draining = get("/health/ready");
    assertThat(draining.statusCode()).isEqualTo(503);
    JsonObject accepting = check(new JsonObject(draining.body()), "accepting");
    assertThat(accepting.getString("status")).isEqualTo("DOWN");
    assertThat(accepting.getString("error")).isEqualTo("The process is shutting down.");
    assertThat(get("/health/live").statusCode()).as("still alive while draining").isEqualTo(200);
  }

  @Test
  @DisplayName("liveness reports the event loop that answered")
  void liveness_names_the_event_loop() throws Exception {
    HttpResponse<String> live = get("/health/live");
    assertThat(live.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(live.body());
    assertThat(body.getString("status")).isEqualTo("UP");
    assertThat(check(body, "event_loop").getJsonObject("data").getString("thread"))
        .startsWith("vert.x-eventloop-thread-");
  }
}
