package dev.agentloop.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The load generator alone, against a server you started:
 * {@code java -cp agentloop-bench.jar dev.agentloop.bench.LoadCli closed|open|sse PORT ...}
 * <ul>
 * <li>{@code closed PORT MODEL CONNECTIONS SECONDS}</li>
 * <li>{@code open PORT MODEL RATE SECONDS}</li>
 * <li>{@code sse PORT MODEL STREAMS RAMP_PER_S WINDOW_S GAP_MS}</li>
 * </ul>
 * Prints the result as JSON.
 */
public final class LoadCli {

  private static final Logger LOG = LoggerFactory.getLogger("bench");

  private LoadCli() {
  }

  public static void main(String[] a) throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    int port = Integer.parseInt(a[1]);
    String model = a[2];
    try {
      switch (a[0]) {
        case "closed" -> {
          int c = Integer.parseInt(a[3]);
          RequestLoad load = new RequestLoad(vertx, Clients.http(vertx, c, null),
              Target.post("cli", port, "/v1/chat/completions", Target.chat(model, false)));
          LOG.info(load.closedLoop("closed", c, 2000, Long.parseLong(a[4]) * 1000).await(10, TimeUnit.MINUTES)
              .toJson().encodePrettily());
        }
        case "open" -> {
          RequestLoad load = new RequestLoad(vertx, Clients.http(vertx, 512, null),
              Target.post("cli", port, "/v1/chat/completions", Target.chat(model, false)));
          LOG.info(load.openLoop("open", Double.parseDouble(a[3]), 2000, Long.parseLong(a[4]) * 1000)
              .await(10, TimeUnit.MINUTES).toJson().encodePrettily());
        }
        case "sse" -> {
          int streams = Integer.parseInt(a[3]);
          SseLoad load = new SseLoad(vertx, Clients.forStreams(vertx, streams),
              Target.post("cli", port, "/v1/chat/completions", Target.chat(model, true)));
          LOG.info(load.run("sse", streams, Double.parseDouble(a[4]), Long.parseLong(a[5]) * 1000,
              Long.parseLong(a[6]), null).await(30, TimeUnit.MINUTES).toJson().encodePrettily());
        }
        default -> throw new IllegalArgumentException("mode must be closed, open or sse: " + a[0]);
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
