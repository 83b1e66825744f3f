package dev.agentloop.it.support;

import dev.agentloop.testkit.Http;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * The gateway's API as one client sees it: every request carries that client's bearer key (none
 * when null) and any extra headers, given as name, value pairs.
 */
public record ApiClient(String base, String key) {

  public HttpResponse<String> get(String path, String... headers) {
    return Http.send(request(path, headers).GET().build());
  }

  public HttpResponse<String> delete(String path, String... headers) {
    return Http.send(request(path, headers).DELETE().build());
  }

  public HttpResponse<String> post(String path, JsonObject body, String... headers) {
    return Http.send(request(path, headers).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build());
  }

  /** A POST whose response body is read line by line as it arrives (a stream), instead of whole. */
  public Lines stream(String path, JsonObject body, String... headers) {
    try {
      HttpResponse<Stream<String>> response = Http.client().send(request(path, headers)
          .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
          HttpResponse.BodyHandlers.ofLines());
      return new Lines(response);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private HttpRequest.Builder request(String path, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    if (key != null) {
      request.header("authorization", "Bearer " + key);
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return request;
  }

  /** A response read as it arrives: its status, then its lines one at a time, then whatever is left. */
  public static final class Lines {
    private final HttpResponse<Stream<String>> response;
    private final Iterator<String> lines;
    private final StringBuilder read = new StringBuilder();

    Lines(HttpResponse<Stream<String>> response) {
      this.response = response;
      this.lines = response.body().iterator();
    }

    public int status() {
      return response.statusCode();
    }

    /** Reads until a line holds {@code text}; false when the response ends first. */
    public boolean readUntil(String text) {
      while (lines.hasNext()) {
        String line = lines.next();
        read.append(line).append('\n');
        if (line.contains(text)) {
          return true;
        }
      }
      return false;
    }

    /** Everything: what was read so far and the rest, until the response ends. */
    public String rest() {
      lines.forEachRemaining(line -> read.append(line).append('\n'));
      return read.toString();
    }
  }
}
