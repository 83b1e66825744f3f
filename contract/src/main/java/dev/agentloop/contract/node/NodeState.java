package dev.agentloop.contract.node;

/**
 * Facts about this process that its verticles share: the ports actually bound (a configured 0
 * picks a free one), whether the process is draining for shutdown, and what it sees of its cluster.
 * One instance per {@link Node}; written and read from any thread.
 */
public final class NodeState {

  private volatile boolean draining;
  private volatile int gatewayPort = -1;
  private volatile int llmHttpPort = -1;
  private volatile int clusterMembers = -1;
  private volatile long lastMemberLossNanos;
  private volatile boolean memberLost;

  public void draining() {
    draining = true;
  }

  public boolean isDraining() {
    return draining;
  }

  /** The cluster members this process sees now, itself included; 0 once it has left. */
  public void clusterMembers(int members) {
    clusterMembers = members;
  }

  /** The cluster members this process sees, or -1 when it does not run clustered. */
  public int clusterMembers() {
    return clusterMembers;
  }

  /** Records that a cluster member left (crashed or stopped) or announced it is leaving; any thread. */
  public void memberLeft() {
    lastMemberLossNanos = System.nanoTime();
    memberLost = true;
  }

  /** Whether a cluster member left at or after {@code sinceNanos} ({@link System#nanoTime()} scale). */
  public boolean memberLeftSince(long sinceNanos) {
    return memberLost && lastMemberLossNanos - sinceNanos >= 0;
  }

  public void gatewayPort(int port) {
    gatewayPort = port;
  }

  /** The gateway's bound port, or -1 before it listens. */
  public int gatewayPort() {
    return gatewayPort;
  }

  public void llmHttpPort(int port) {
    llmHttpPort = port;
  }

  /** The mock's own bound port, or -1 before it listens (or when it is off). */
  public int llmHttpPort() {
    return llmHttpPort;
  }
}
