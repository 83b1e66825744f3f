package dev.agentloop.common;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;

/**
 * Facts about this process that its verticles share through a local map: the ports actually bound
 * (a configured 0 picks a free one) and whether the process is draining for shutdown.
 */
public final class NodeState {

  public static final String GATEWAY_PORT = "gateway.port";
  public static final String LLM_HTTP_PORT = "llm.http_port";
  private static final String MAP = "agentloop.node-state";
  private static final String DRAINING = "draining";

  private NodeState() {
  }

  private static LocalMap<String, Object> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP);
  }

  public static void draining(Vertx vertx) {
    map(vertx).put(DRAINING, true);
  }

  public static boolean isDraining(Vertx vertx) {
    return Boolean.TRUE.equals(map(vertx).get(DRAINING));
  }

  public static void port(Vertx vertx, String key, int port) {
    map(vertx).put(key, port);
  }

  public static int port(Vertx vertx, String key) {
    Object port = map(vertx).get(key);
    return port instanceof Integer p ? p : -1;
  }
}
