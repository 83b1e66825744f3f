package dev.agentloop.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The framework's own limit on this machine: a bare Vert.x HTTP server, one verticle instance per
 * event loop like the gateway, answering every request (once its body has arrived) with a fixed JSON
 * body of the given size. {@code java -cp agentloop-bench.jar dev.agentloop.bench.BareServer PORT BYTES}.
 */
public final class BareServer extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger("bench");
  private final int port;
  private final Buffer body;

  BareServer(int port, Buffer body) {
    this.port = port;
    this.body = body;
  }

  /** A JSON object of exactly {@code size} bytes (at least 20). */
  static Buffer body(int size) {
    String head = "{\"padding\":\"";
    String tail = "\"}";
    char[] pad = new char[Math.max(0, size - head.length() - tail.length())];
    Arrays.fill(pad, 'x');
    return Buffer.buffer(head + new String(pad) + tail);
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer(new HttpServerOptions().setPort(port).setHost("127.0.0.1"))
        .requestHandler(req -> req.body().onComplete(ar -> req.response()
            .putHeader("content-type", "application/json")
            .end(body)))
        .listen();
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Buffer body = body(Integer.parseInt(args[1]));
    VertxOptions options = new VertxOptions();
    Vertx vertx = Vertx.vertx(options);
    int instances = options.getEventLoopPoolSize();
    vertx.deployVerticle(() -> new BareServer(port, body),
        new DeploymentOptions().setInstances(instances)).await(30, TimeUnit.SECONDS);
    LOG.warn("bare server: {} instances on port {}, body {} bytes", instances, port, body.length());
  }
}
