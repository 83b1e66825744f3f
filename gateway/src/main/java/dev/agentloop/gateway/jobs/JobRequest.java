package dev.agentloop.gateway.jobs;

import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.chat.ChatRequest;
import dev.agentloop.front.ChatBodies;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** A checked {@code POST /v1/jobs} body: {@code {"requests":[chat request...], "concurrency"?}}. */
public record JobRequest(List<ChatRequest> requests, int concurrency) {

  public static final int MAX_REQUESTS = 1_000;
  public static final int MAX_CONCURRENCY = 64;
  public static final int DEFAULT_CONCURRENCY = 4;

  public static JobRequest from(JsonObject body, ChatBodies bodies) {
    if (!(body.getValue("requests") instanceof JsonArray array) || array.isEmpty()) {
      throw ApiException.badRequest("'requests' must be a non-empty array of chat requests.", "requests");
    }
    if (array.size() > MAX_REQUESTS) {
      throw ApiException.badRequest("A job may hold at most " + MAX_REQUESTS + " requests.", "requests");
    }
    List<ChatRequest> requests = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      String param = "requests[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject item)) {
        throw ApiException.badRequest("'" + param + "' must be a chat request object.", param);
      }
      if (Boolean.TRUE.equals(item.getValue("stream"))) {
        throw ApiException.badRequest("'" + param + ".stream' is not supported in a job.", param + ".stream");
      }
      try {
        requests.add(bodies.chat(item, null));
      } catch (ApiException e) {
        String inner = e.param() == null ? param : param + "." + e.param();
        throw ApiException.badRequest(param + ": " + e.getMessage(), inner);
      }
    }
    Object concurrency = body.getValue("concurrency", DEFAULT_CONCURRENCY);
    if (!(concurrency instanceof Integer n) || n < 1 || n > MAX_CONCURRENCY) {
      throw ApiException.badRequest("'concurrency' must be an integer between 1 and " + MAX_CONCURRENCY + ".",
          "concurrency");
    }
    return new JobRequest(requests, n);
  }

  public JsonObject toJson() {
    JsonArray bodies = new JsonArray();
    requests.forEach(r -> bodies.add(Job.body(r)));
    return new JsonObject().put("requests", bodies).put("concurrency", concurrency);
  }
}
