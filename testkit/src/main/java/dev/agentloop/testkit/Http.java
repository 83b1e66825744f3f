package dev.agentloop.testkit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A real HTTP client (the JDK's) for tests that read best as plain blocking calls. */
public final class Http {

  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private Http() {
  }

  public static HttpClient client() {
    return CLIENT;
  }

  public static HttpResponse<String> get(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build());
  }

  public static HttpResponse<String> post(String url, String body) {
    return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  public static HttpResponse<String> post(String url, JsonObject body) {
    return post(url, body.encode());
  }

  /** A request to {@code url} with {@code key} as the bearer key (none when null). */
  public static HttpRequest.Builder request(String url, String key) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    if (key != null) {
      request.header("authorization", "Bearer " + key);
    }
    return request;
  }

  /** A JSON POST with {@code key} as the bearer key (none when null). */
  public static HttpResponse<String> post(String url, String key, JsonObject body) {
    return send(request(url, key).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build());
  }

  /** A DELETE with {@code key} as the bearer key (none when null). */
  public static HttpResponse<String> delete(String url, String key) {
    return send(request(url, key).DELETE().build());
  }

  public static HttpResponse<String> delete(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).DELETE().build());
  }

  public static HttpResponse<String> send(HttpRequest request) {
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static JsonObject json(HttpResponse<String> response) {
    return new JsonObject(response.body());
  }

  public static JsonObject chat(String model, String content) {
    return new JsonObject().put("model", model).put("messages",
        new JsonArray().add(new JsonObject().put("role", "user").put("content", content)));
  }
}
