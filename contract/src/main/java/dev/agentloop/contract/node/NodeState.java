package dev.agentloop.contract.node;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;

/**
 * Facts about this process that its verticles share through a local map: the ports actually bound
 * (a configured 0 picks a free one), whether the process is draining for shutdown, and the node id
 * that tags this process's metrics and health answers (its cluster member id when clustered).
 */
public final class NodeState {

  public static final String GATEWAY_PORT = "gateway.port";
  public static final String LLM_HTTP_PORT = "llm.http_port";
  private static final String MAP = "agentloop.node-state";
  private static final String DRAINING = "draining";
  private static final String NODE_ID = "node.id";
  private static final String LAST_MEMBER_LOSS = "cluster.last_member_loss_nanos";
  private static final String CLUSTER_MEMBERS = "cluster.members";

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

  public static void nodeId(Vertx vertx, String id) {
    map(vertx).put(NODE_ID, id);
  }

  /** This process's node id; {@code local} when nothing set one. */
  public static String nodeId(Vertx vertx) {
    Object id = map(vertx).get(NODE_ID);
    return id instanceof String s ? s : "local";
  }

  /** The cluster members this process sees now, itself included; 0 once it has left. */
  public static void clusterMembers(Vertx vertx, int members) {
    map(vertx).put(CLUSTER_MEMBERS, members);
  }

  /** The cluster members this process sees, or -1 when it does not run clustered. */
  public static int clusterMembers(Vertx vertx) {
    return map(vertx).get(CLUSTER_MEMBERS) instanceof Integer n ? n : -1;
  }

  /** Records that a cluster member left (crashed or stopped) or announced it is leaving; any thread. */
  public static void memberLeft(Vertx vertx) {
    map(vertx).put(LAST_MEMBER_LOSS, System.nanoTime());
  }

  /** Whether a cluster member left at or after {@code sinceNanos} ({@link System#nanoTime()} scale). */
  public static boolean memberLeftSince(Vertx vertx, long sinceNanos) {
    return map(vertx).get(LAST_MEMBER_LOSS) instanceof Long at && at - sinceNanos >= 0;
  }

  public static void port(Vertx vertx, String key, int port) {
    map(vertx).put(key, port);
  }

  public static int port(Vertx vertx, String key) {
    Object port = map(vertx).get(key);
    return port instanceof Integer p ? p : -1;
  }
}
