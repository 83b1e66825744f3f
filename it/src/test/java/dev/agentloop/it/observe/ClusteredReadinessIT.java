package dev.agentloop.it.observe;

import java.util.List;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Await;
import dev.agentloop.testkit.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Readiness across two Hazelcast-clustered nodes: a gateway-only node and a node with the back services. */
@DisplayName("Readiness of a clustered gateway")
class ClusteredReadinessIT {

  private static JsonObject clustered(String name, int port, String... services) {
    return new JsonObject()
        .put("services", new JsonArray(List.of((Object[]) services)))
        .put("llm", new JsonObject().put("http_port", 0))
        .put("cluster", new JsonObject().put("enabled", true).put("name", name).put("host", "127.0.0.1")
            .put("port", port).put("members", new JsonArray().add("127.0.0.1:" + port)));
  }

  private static JsonObject check(JsonObject body, String id) {
    return body.getJsonArray("checks").stream().map(JsonObject.class::cast).filter(c -> id.equals(c.getString("id")))
        .findFirst().orElseThrow(() -> new AssertionError("no check " + id + " in " + body));
  }

  @Test
  @DisplayName("is ready through the other member's handlers, reports membership, and turns 503 when that member leaves")
  void readiness_follows_the_cluster() {
    String name = "agentloop-ready-" + UUID.randomUUID();
    int port = TestApp.freePort();
    try (TestApp back = TestApp.start(clustered(name, port, "llm", "storage"))) {
      TestApp front = TestApp.start(clustered(name, port, "gateway"));
      try {
        JsonObject ready = Await.value("the gateway node ready through the cluster", Duration.ofSeconds(30),
            () -> Http.get(front.gatewayUrl() + "/health/ready"), r -> r.statusCode() == 200)
            .body().transform(JsonObject::new);
        JsonObject cluster = check(ready, "cluster");
        assertThat(cluster.getString("status")).isEqualTo("UP");
        assertThat(cluster.getJsonObject("data").getInteger("members")).isEqualTo(2);
        assertThat(check(ready, "llm").getString("status")).isEqualTo("UP");

        back.close();
        HttpResponse<String> notReady = Await.value("readiness to notice the back node is gone", Duration.ofSeconds(30),
            () -> Http.get(front.gatewayUrl() + "/health/ready"), r -> r.statusCode() == 503);
        JsonObject down = new JsonObject(notReady.body());
        assertThat(check(down, "llm").getString("status")).isEqualTo("DOWN");
        assertThat(check(down, "storage").getString("status")).isEqualTo("DOWN");
        assertThat(check(down, "cluster").getString("status")).as("the gateway node itself is still a member")
            .isEqualTo("UP");
      } finally {
        front.close();
      }
    }
  }
}
