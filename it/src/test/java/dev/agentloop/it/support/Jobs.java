package dev.agentloop.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.testkit.Await;
import dev.agentloop.testkit.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Background jobs through the gateway's HTTP API, for tests. */
public final class Jobs {

  private Jobs() {
  }

  /** {@code count} chat requests to {@code model}, each with {@code maxTokens} when positive. */
  public static JsonObject batch(String model, int count, int concurrency, int maxTokens) {
    JsonArray requests = new JsonArray();
    for (int i = 0; i < count; i++) {
      JsonObject chat = Http.chat(model, "item " + i);
      if (maxTokens > 0) {
        chat.put("max_tokens", maxTokens);
      }
      requests.add(chat);
    }
    return new JsonObject().put("requests", requests).put("concurrency", concurrency);
  }

  public static JsonObject batch(String model, int count, int concurrency) {
    return batch(model, count, concurrency, 0);
  }

  /** Creates the job and checks the 202 with its location. */
  public static JsonObject create(String base, JsonObject batch) {
    HttpResponse<String> response = Http.post(base + "/v1/jobs", batch);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    JsonObject job = Http.json(response);
    assertThat(response.headers().firstValue("location")).hasValue("/v1/jobs/" + job.getString("id"));
    return job;
  }

  public static JsonObject get(String base, String id) {
    return get(base, null, id);
  }

  /** The job, read with {@code key} as the bearer key (none when null). */
  public static JsonObject get(String base, String key, String id) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/v1/jobs/" + id))
        .timeout(Duration.ofSeconds(30)).GET();
    if (key != null) {
      request.header("authorization", "Bearer " + key);
    }
    HttpResponse<String> response = Http.send(request.build());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Http.json(response);
  }

  /** Polls the job until it is no longer queued or running. */
  public static JsonObject awaitFinished(String base, String id, Duration timeout) {
    return awaitFinished(base, null, id, timeout);
  }

  public static JsonObject awaitFinished(String base, String key, String id, Duration timeout) {
    return Await.value("job " + id + " finishes", timeout, () -> get(base, key, id),
        job -> !job.getString("status").equals("queued") && !job.getString("status").equals("running"));
  }
}
