package dev.agentloop.bench;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The load generator against real local HTTP servers. */
class LoadGeneratorTest {

  private Vertx vertx;
  private Vertx serverVertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    serverVertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    serverVertx.close().await(10, TimeUnit.SECONDS);
  }

  private HttpServer server(Handler<HttpServerRequest> handler) throws Exception {
    return serverVertx.createHttpServer().requestHandler(handler).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  private HttpClientAgent client(int connections) {
    return vertx.httpClientBuilder().with(new HttpClientOptions()).with(new PoolOptions().setHttp1MaxSize(connections))
        .build();
  }

  @Test
  void open_loop_latency_includes_the_time_requests_queue_behind_a_slow_server() throws Exception {
    // One connection and a server that takes 40 ms per answer: at 100 requests/s, requests queue in
    // the client. Their latency must include that wait, so it grows far beyond the 40 ms service time.
    HttpServer server = server(req -> serverVertx.setTimer(40, t -> req.response().end("ok")));
    RequestLoad load = new RequestLoad(vertx, client(1),
        Target.post("slow", server.actualPort(), "/", "{}"));
    RequestLoad.Result result = load.openLoop("slow", 100, 0, 1000).await(1, TimeUnit.MINUTES);
    assertThat(result.completed()).isGreaterThan(0);
    assertThat(result.latency().errors()).isZero();
    assertThat(result.latency().maxMs()).isGreaterThan(200);
    assertThat(result.latency().percentileMs(50)).isGreaterThan(80);
  }

  @Test
  void closed_loop_counts_non_200_answers_as_errors() throws Exception {
    HttpServer server = server(req -> req.response().setStatusCode(503).end("no"));
    RequestLoad load = new RequestLoad(vertx, client(2), Target.post("failing", server.actualPort(), "/", "{}"));
    RequestLoad.Result result = load.closedLoop("failing", 2, 0, 300).await(1, TimeUnit.MINUTES);
    assertThat(result.completed()).isZero();
    assertThat(result.latency().errors()).isGreaterThan(0);
  }

  @Test
  void sse_load_records_first_tokens_gaps_and_streams_held() throws Exception {
    HttpServer server = server(req -> {
      HttpServerResponse resp = req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      resp.write("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n");
      long[] n = {0};
      long timer = serverVertx.setPeriodic(20, 50, t -> resp.write(
          "data: {\"choices\":[{\"delta\":{\"content\":\"t" + n[0]++ + "\"}}]}\n\n"));
      resp.closeHandler(v -> serverVertx.cancelTimer(timer));
    });
    SseLoad load = new SseLoad(vertx, List.of(client(5)), Target.post("sse", server.actualPort(), "/", "{}"));
    SseLoad.Result result = load.run("sse", 5, 1000, 600, 50, held -> null).await(1, TimeUnit.MINUTES);
    assertThat(result.opened()).isEqualTo(5);
    assertThat(result.held()).isEqualTo(5);
    assertThat(result.errorCount()).isZero();
    assertThat(result.ttft().count()).isEqualTo(5);
    assertThat(result.gaps().count()).isGreaterThanOrEqualTo(5);
    assertThat(result.tokens()).isEqualTo(result.ttft().count() + result.gaps().count());
  }

  @Test
  void a_stream_that_ends_before_the_window_is_over_is_an_error() throws Exception {
    HttpServer server = server(req -> req.response().putHeader("content-type", "text/event-stream")
        .end(Buffer.buffer("data: {\"choices\":[{\"delta\":{\"content\":\"only\"}}]}\n\n")));
    SseLoad load = new SseLoad(vertx, List.of(client(3)), Target.post("short", server.actualPort(), "/", "{}"));
    SseLoad.Result result = load.run("short", 3, 1000, 500, 50, null).await(1, TimeUnit.MINUTES);
    assertThat(result.held()).isZero();
    assertThat(result.errors()).containsEntry("closed without [DONE]", 3);
  }
}
