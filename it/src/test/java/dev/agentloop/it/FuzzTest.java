package dev.agentloop.it;

import java.io.IOException;
import java.net.SocketException;
import java.util.Arrays;
import java.util.Collections;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Http;
import dev.agentloop.testkit.Sse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Generated hostile input against the gateway: random and mutated JSON, wrong types, huge numbers,
 * deep nesting, invalid UTF-8, framing-breaking content, truncated bodies, wrong content types and
 * methods. None may get a 5xx or hurt the server; every stream that starts must stay well formed.
 */
class FuzzTest {

  private static final int HTTP_CASES = 10_000;
  private static final int RAW_CASES = 160;
  private static final long SEED = 20261124L;
  @AutoClose
  private static TestApp app;

  @BeforeAll
  static void start() {
    // only models that never fail on purpose: any 5xx is then a defect
    JsonArray models = new JsonArray()
        .add(new JsonObject().put("id", "mock-fast").put("tokens", 8))
        .add(new JsonObject().put("id", "mock-echo").put("echo", true));
    app = TestApp.start(new JsonObject().put("llm", new JsonObject().put("models", models))
        .put("gateway", new JsonObject().put("body_limit_bytes", 65_536)
            .put("limits", new JsonObject().put("request_timeout_ms", 500))
            .put("max_tokens_limit", 64)));
  }

  @Test
  @DisplayName("10,000 generated hostile requests: zero 5xx, every stream well formed, the server healthy afterwards")
  void hostile_requests() throws Exception {
    Random random = new Random(SEED);
    Semaphore inFlight = new Semaphore(16);
    Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    List<String> defects = Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (int i = 0; i < HTTP_CASES; i++) {
      Case c = generate(random, i);
      HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(app.gatewayUrl() + c.path()))
          .timeout(Duration.ofSeconds(30)).method(c.method(), c.body() == null
              ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(c.body()));
      if (c.contentType() != null) {
        builder.header("content-type", c.contentType());
      }
      inFlight.acquire();
      all.add(Http.client().sendAsync(builder.build(), HttpResponse.BodyHandlers.ofString())
          .whenComplete((response, failure) -> {
            inFlight.release();
            if (failure != null) {
              defects.add(c.kind() + ": transport failure " + failure);
              return;
            }
            statuses.computeIfAbsent(response.statusCode(), s -> new AtomicInteger()).incrementAndGet();
            check(c, response, defects);
          }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
    assertThat(defects).as("defects (statuses %s)", statuses).isEmpty();
    assertThat(statuses.keySet()).allSatisfy(s -> assertThat(s).isLessThan(500));
    assertThat(statuses.get(200).get()).as("some generated requests are valid").isPositive();
    assertThat(statuses.get(400).get()).as("most are refused").isGreaterThan(HTTP_CASES / 4);
    assertHealthy();
  }

  @Test
  @DisplayName("malformed HTTP on raw sockets (garbage, bad framing, truncated bodies) never gets a 5xx")
  void raw_protocol_abuse() throws Exception {
    Random random = new Random(SEED + 1);
    String valid = Http.chat("mock-fast", "raw").encode();
    List<Supplier<byte[]>> shapes = List.of(
        () -> randomBytes(random, 1 + random.nextInt(200)),
        () -> ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: " + (valid.length() + 1 + random.nextInt(50))
            + "\r\n\r\n" + valid).getBytes(StandardCharsets.UTF_8),
        () -> ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n" + valid).getBytes(StandardCharsets.UTF_8),
        () -> ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n" + valid + "\r\n0\r\n\r\n").getBytes(StandardCharsets.UTF_8),
        () -> ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 900\r\n\r\n{}").getBytes(StandardCharsets.UTF_8),
        () -> ("GET /" + "a".repeat(5000 + random.nextInt(5000)) + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.UTF_8),
        () -> ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Bad\u0001Header: y\r\nContent-Length: " + valid.length()
            + "\r\n\r\n" + valid).getBytes(StandardCharsets.ISO_8859_1),
        // (a request line whose protocol is not HTTP/1.x at all is answered by Vert.x core itself, see README)
        () -> ("BREW /v1/chat/completions HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    List<String> defects = new ArrayList<>();
    for (int i = 0; i < RAW_CASES; i++) {
      byte[] request = shapes.get(i % shapes.size()).get();
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", app.app().gatewayPort()));
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(request);
        socket.getOutputStream().flush();
        String head = readHead(socket.getInputStream());
        if (head.startsWith("HTTP/1.1 5") || head.startsWith("HTTP/1.0 5")) {
          defects.add("case " + i + " (shape " + (i % shapes.size()) + "): " + head.lines().findFirst().orElse(""));
        }
      } catch (SocketTimeoutException e) {
        defects.add("case " + i + " (shape " + (i % shapes.size()) + "): the server neither answered nor closed");
      } catch (SocketException e) {
        // the server reset the connection: an acceptable answer to garbage
      }
    }
    assertThat(defects).isEmpty();
    assertHealthy();
  }

  private static void assertHealthy() {
    assertThat(Http.get(app.gatewayUrl() + "/health/ready").statusCode()).isEqualTo(200);
    HttpResponse<String> chat = Http.post(app.gatewayUrl() + "/v1/chat/completions", Http.chat("mock-echo", "still fine"));
    assertThat(chat.statusCode()).isEqualTo(200);
    assertThat(ChatCompletionsTest.content(Http.json(chat))).isEqualTo("still fine");
    String metrics = Http.get(app.gatewayUrl() + "/metrics").body();
    assertThat(metrics.lines().filter(l -> l.startsWith("vertx_http_server_requests_total") && l.contains("code=\"5")))
        .as("no 5xx was ever answered").isEmpty();
  }

  private static void check(Case c, HttpResponse<String> response, List<String> defects) {
    int status = response.statusCode();
    if (status >= 500) {
      defects.add(c.kind() + " -> " + status + ": " + response.body());
      return;
    }
    String type = response.headers().firstValue("content-type").orElse("");
    if (status >= 400 && c.path().startsWith("/v1/")) {
      try {
        JsonObject error = new JsonObject(response.body()).getJsonObject("error");
        if (error == null || !error.containsKey("message") || !error.containsKey("type")) {
          defects.add(c.kind() + " -> " + status + " without the error shape: " + response.body());
        }
      } catch (RuntimeException e) {
        defects.add(c.kind() + " -> " + status + " with a non-JSON body: " + response.body());
      }
    }
    if (status == 200 && type.startsWith("text/event-stream")) {
      try {
        Sse.Stream stream = Sse.parse(response.body());
        if (!stream.done() && stream.error() == null) {
          defects.add(c.kind() + ": a stream ended without [DONE] or an error event");
        }
      } catch (RuntimeException e) {
        defects.add(c.kind() + ": malformed SSE: " + e.getMessage());
      }
    }
  }

  record Case(String kind, String method, String path, String contentType, byte[] body) {
  }

  private static final String[] FRAMING = {"\n\ndata: [DONE]\n\n", "\r\n\r\n", "data: {\"error\":1}", "\"", "\\",
      "\u2028", "\u0000", "</script>", "event: x\nid: 9", ":", "[DONE]", "\ud83d\ude00", "\ud800"};

  private static Case generate(Random random, int i) {
    int kind = i % 10;
    return switch (kind) {
      case 0 -> post("random bytes", randomBytes(random, random.nextInt(300)));
      case 1 -> post("mutated JSON", mutate(random, validRequest(random).encode().getBytes(StandardCharsets.UTF_8)));
      case 2 -> post("wrong type", wrongType(random).encode().getBytes(StandardCharsets.UTF_8));
      case 3 -> post("huge number", hugeNumber(random));
      case 4 -> post("deep nesting", deepNesting(random));
      case 5 -> post("invalid UTF-8", invalidUtf8(random));
      case 6 -> post("framing content", framing(random).encode().getBytes(StandardCharsets.UTF_8));
      case 7 -> {
        byte[] body = validRequest(random).encode().getBytes(StandardCharsets.UTF_8);
        yield post("truncated body", Arrays.copyOf(body, random.nextInt(body.length)));
      }
      case 8 -> new Case("wrong content type", "POST", "/v1/chat/completions",
          new String[] {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
              "application/json; charset=latin1", "image/png"}[random.nextInt(5)],
          validRequest(random).encode().getBytes(StandardCharsets.UTF_8));
      default -> new Case("method and path", new String[] {"GET", "PUT", "DELETE", "PATCH", "POST"}[random.nextInt(5)],
          new String[] {"/v1/chat/completions", "/v1/models/%00", "/v1/models/" + "x".repeat(random.nextInt(300)),
              "/v1/../../etc/passwd", "/v1/chat/completions?stream=true", "/v1/", "/health/ready/../live"}[random.nextInt(7)],
          "application/json", random.nextBoolean() ? null : validRequest(random).encode().getBytes(StandardCharsets.UTF_8));
    };
  }

  private static Case post(String kind, byte[] body) {
    return new Case(kind, "POST", "/v1/chat/completions", "application/json", body);
  }

  private static JsonObject validRequest(Random random) {
    JsonObject request = Http.chat(random.nextBoolean() ? "mock-fast" : "mock-echo", "fuzz " + random.nextInt());
    if (random.nextBoolean()) {
      request.put("stream", true);
    }
    if (random.nextBoolean()) {
      request.put("max_tokens", 1 + random.nextInt(8));
    }
    return request;
  }

  private static byte[] randomBytes(Random random, int n) {
    byte[] bytes = new byte[n];
    random.nextBytes(bytes);
    return bytes;
  }

  private static byte[] mutate(Random random, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte b : body) {
      int roll = random.nextInt(40);
      if (roll == 0) {
        continue; // delete
      }
      if (roll == 1) {
        out.write(random.nextInt(256)); // insert
      }
      out.write(roll == 2 ? "{}[]\",:\\".charAt(random.nextInt(8)) : b);
    }
    return out.toByteArray();
  }

  private static Object randomValue(Random random, int depth) {
    return switch (random.nextInt(depth > 2 ? 8 : 10)) {
      case 0 -> null;
      case 1 -> random.nextBoolean();
      case 2 -> random.nextInt();
      case 3 -> random.nextLong();
      case 4 -> random.nextDouble() * (random.nextBoolean() ? 1e300 : -1e-300);
      case 5 -> "";
      case 6 -> "s".repeat(random.nextInt(50));
      case 7 -> -1;
      case 8 -> new JsonArray().add(randomValue(random, depth + 1)).add(randomValue(random, depth + 1));
      default -> new JsonObject().put("k", randomValue(random, depth + 1));
    };
  }

  private static JsonObject wrongType(Random random) {
    JsonObject request = validRequest(random);
    String[] fields = {"model", "messages", "max_tokens", "max_completion_tokens", "stream", "stream_options",
        "temperature", "top_p", "n", "user", "tools"};
    String field = fields[random.nextInt(fields.length)];
    request.put(field, randomValue(random, 0));
    if (random.nextBoolean()) {
      JsonObject message = new JsonObject().put("role", "user").put("content", "typed");
      message.put(random.nextBoolean() ? "role" : "content", randomValue(random, 0));
      request.put("messages", new JsonArray().add(message));
    }
    return request;
  }

  private static byte[] hugeNumber(Random random) {
    String[] numbers = {"1e309", "-1e309", "99999999999999999999999999999", "1.0E-400", "-0", "0.0000001",
        "9223372036854775808", "2147483648", "NaN", "Infinity", "1" + "0".repeat(5000)};
    String field = new String[] {"max_tokens", "temperature", "n", "top_p", "max_completion_tokens"}[random.nextInt(5)];
    return ("{\"model\":\"mock-fast\",\"messages\":[{\"role\":\"user\",\"content\":\"n\"}],\"" + field + "\":"
        + numbers[random.nextInt(numbers.length)] + "}").getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] deepNesting(Random random) {
    int depth = 1 + random.nextInt(3000);
    String open = random.nextBoolean() ? "[" : "{\"a\":";
    String close = open.equals("[") ? "]" : "}";
    String nested = open.repeat(depth) + "1" + close.repeat(random.nextInt(4) == 0 ? depth / 2 : depth);
    return ("{\"model\":\"mock-fast\",\"messages\":[{\"role\":\"user\",\"content\":\"d\"}],\"extra\":" + nested + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] invalidUtf8(Random random) {
    byte[][] bad = {{(byte) 0xC3}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF0, (byte) 0x9F},
        {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xE2, (byte) 0x28, (byte) 0xA1}};
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("{\"model\":\"mock-echo\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"a"
        .getBytes(StandardCharsets.UTF_8));
    out.writeBytes(bad[random.nextInt(bad.length)]);
    out.writeBytes("b\"}]}".getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  private static JsonObject framing(Random random) {
    StringBuilder content = new StringBuilder();
    for (int k = 0; k < 1 + random.nextInt(6); k++) {
      content.append(FRAMING[random.nextInt(FRAMING.length)]).append(random.nextBoolean() ? " " : "");
    }
    return Http.chat("mock-echo", content.toString()).put("stream", true);
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1 && head.size() < 64) {
      head.write(b);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }
}
