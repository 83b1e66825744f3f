package dev.agentloop.contract.node;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.spi.cluster.ClusterManager;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One agentloop process as its verticles see it: its id (the cluster member id when clustered,
 * unless {@code cluster.node_id} names it), its metrics registry, its {@link NodeState}, the
 * blocked-thread record, and the cluster manager (null when not clustered). Built once where the
 * Vert.x node is built and handed to every verticle's constructor, so two processes in one JVM
 * (two test apps) share nothing. Services of one module that all its verticles share (rate limits,
 * admission, breakers, metrics) are built beside it and handed over the same way.
 */
public final class Node {

  private final String id;
  private final MeterRegistry registry;
  private final NodeState state = new NodeState();
  private final BlockedThreads blockedThreads;
  private final ClusterManager clusterManager;
  private final Set<String> swept = ConcurrentHashMap.newKeySet();

  public Node(String id, MeterRegistry registry, BlockedThreads blockedThreads, ClusterManager clusterManager) {
    this.id = id;
    this.registry = registry;
    this.blockedThreads = blockedThreads;
    this.clusterManager = clusterManager;
  }

  /** A node that is not clustered and whose blocked-thread checker nobody watches (for tests of one verticle). */
  public static Node standalone(String id, MeterRegistry registry) {
    return new Node(id, registry, BlockedThreads.unhooked(registry, 1), null);
  }

  public String id() {
    return id;
  }

  public MeterRegistry registry() {
    return registry;
  }

  public NodeState state() {
    return state;
  }

  public BlockedThreads blockedThreads() {
    return blockedThreads;
  }

  /** The cluster manager, or null when this node is not clustered. */
  public ClusterManager clusterManager() {
    return clusterManager;
  }

  /** True the first time a folder's leftover exports are to be swept on this node, false after. */
  public boolean firstSweepOf(Path dir) {
    return swept.add(dir.toAbsolutePath().normalize().toString());
  }
}
