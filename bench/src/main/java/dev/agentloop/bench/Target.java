package dev.agentloop.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/** One kind of request: where it goes and what it carries. */
public record Target(String name, String host, int port, HttpMethod method, String path, Buffer body) {

  public static Target post(String name, int port, String path, String json) {
    return new Target(name, "127.0.0.1", port, HttpMethod.POST, path, Buffer.buffer(json));
  }

  public static Target get(String name, int port, String path) {
    return new Target(name, "127.0.0.1", port, HttpMethod.GET, path, null);
  }

  public RequestOptions options() {
    RequestOptions options = new RequestOptions().setHost(host).setPort(port).setMethod(method).setURI(path);
    if (body != null) {
      options.putHeader("content-type", "application/json");
    }
    return options;
  }

  public static String chat(String model, boolean stream) {
    return "{\"model\":\"" + model + "\",\"stream\":" + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Say something about event loops.\"}]}";
  }
}
