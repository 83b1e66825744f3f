package dev.agentloop.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.util.ArrayList;
import java.util.List;

/** The load generator's HTTP clients: keep-alive, no idle timeout, a bounded connection pool. */
final class Clients {

  /** Connections one client opens at the most before streams move to the next source address. */
  static final int STREAMS_PER_CLIENT = 4000;

  private Clients() {
  }

  static HttpClientAgent http(Vertx vertx, int maxConnections, String localAddress) {
    HttpClientOptions options = new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
        .setConnectTimeout(10_000).setIdleTimeout(0);
    if (localAddress != null) {
      options.setLocalAddress(localAddress);
    }
    return vertx.httpClientBuilder().with(options).with(new PoolOptions().setHttp1MaxSize(maxConnections)).build();
  }

  /** Clients for {@code streams} held streams, from several source addresses so 10,000 never run short of ports. */
  static List<HttpClientAgent> forStreams(Vertx vertx, int streams) {
    List<HttpClientAgent> clients = new ArrayList<>();
    for (int i = 0; i * STREAMS_PER_CLIENT < streams; i++) {
      clients.add(http(vertx, Math.min(STREAMS_PER_CLIENT, streams), "127.0.0." + (i + 1)));
    }
    return clients;
  }
}
