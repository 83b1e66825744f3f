package dev.agentloop.front;

import dev.agentloop.contract.config.HttpLimits;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP server for an OpenAI-compatible front, with the connection-level limits: header size
 * (431, answered by the router's failure handler like every error), an idle timeout, and a request deadline that closes connections
 * whose request (headers and body) does not arrive in time, so slow-loris clients cannot hold them.
 */
public final class ApiServer {

  private ApiServer() {
  }

  public static HttpServer create(Vertx vertx, String host, int port, HttpLimits limits, Router router) {
    HttpServerOptions options = new HttpServerOptions().setHost(host).setPort(port)
        .setMaxHeaderSize(limits.maxHeaderBytes())
        .setHttp2ClearTextEnabled(false)
        .setIdleTimeout((int) limits.idleTimeoutMs()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    HttpServer server = vertx.createHttpServer(options);
    // a request that could not be parsed goes through the router too, whose first handler fails it
    server.invalidRequestHandler(router::handle);
    RequestDeadlines deadlines = limits.requestTimeoutMs() > 0 ? new RequestDeadlines(vertx, limits.requestTimeoutMs(),
        Math.max(limits.requestTimeoutMs(), limits.idleTimeoutMs())) : null;
    if (deadlines != null) {
      server.connectionHandler(deadlines::connected);
    }
    server.requestHandler(request -> {
      if (deadlines != null) {
        deadlines.received(request);
      }
      router.handle(request);
    });
    return server;
  }

  /**
   * One timer per connection. A new connection's first request (headers and body) must arrive within
   * the request deadline; a body that is still arriving must too. Between two requests of a
   * keep-alive connection the longer of the deadline and the idle timeout applies, so pooled
   * clients are not raced by an early close.
   */
  private static final class RequestDeadlines {
    private final Vertx vertx;
    private final long deadlineMs;
    private final long betweenRequestsMs;
    private final long checkMs;
    private final Map<HttpConnection, State> states = new HashMap<>();

    private static final class State {
      HttpServerRequest request;
      boolean served;
      long waitingSinceNanos;
      long timer = -1;
    }

    RequestDeadlines(Vertx vertx, long deadlineMs, long betweenRequestsMs) {
      this.vertx = vertx;
      this.deadlineMs = deadlineMs;
      this.betweenRequestsMs = betweenRequestsMs;
      this.checkMs = Math.max(1, deadlineMs / 4);
    }

    void connected(HttpConnection connection) {
      State state = new State();
      state.waitingSinceNanos = System.nanoTime();
      states.put(connection, state);
      connection.closeHandler(v -> {
        State gone = states.remove(connection);
        if (gone != null && gone.timer >= 0) {
          vertx.cancelTimer(gone.timer);
        }
      });
      arm(connection, state);
    }

    void received(HttpServerRequest request) {
      State state = states.get(request.connection());
      if (state != null) {
        state.request = request;
        state.waitingSinceNanos = System.nanoTime();
      }
    }

    private void arm(HttpConnection connection, State state) {
      state.timer = vertx.setTimer(checkMs, t -> check(connection, state));
    }

    private void check(HttpConnection connection, State state) {
      state.timer = -1;
      if (states.get(connection) != state) {
        return;
      }
      HttpServerRequest request = state.request;
      boolean working = request != null && request.isEnded() && !request.response().ended();
      if (working) {
        arm(connection, state);
        return;
      }
      if (request != null && request.response().ended()) {
        // the last exchange is over: from now on the connection waits for its next request
        state.request = null;
        state.served = true;
        state.waitingSinceNanos = System.nanoTime();
      }
      boolean bodyArriving = request != null;
      long limit = state.served && !bodyArriving ? betweenRequestsMs : deadlineMs;
      if (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - state.waitingSinceNanos) >= limit) {
        connection.close();
        return;
      }
      arm(connection, state);
    }
  }
}
