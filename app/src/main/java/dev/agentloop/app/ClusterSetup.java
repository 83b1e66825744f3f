package dev.agentloop.app;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.LifecycleEvent;
import dev.agentloop.contract.node.Node;
import dev.agentloop.contract.config.AgentloopConfig;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Hazelcast member a clustered process runs. The base is the Hazelcast XML that Vert.x finds
 * ({@code -Dvertx.hazelcast.config=deploy/cluster.xml}, else {@code cluster.xml} on the classpath, else
 * vertx-hazelcast's default); agentloop's settings then always decide the cluster name, the interface
 * (the only one Hazelcast listens on) and port, and the members: TCP-IP join only, multicast,
 * auto-detection and phone-home off. Failure
 * detection is in seconds rather than the default minute, unless the XML sets those properties itself.
 */
final class ClusterSetup {

  private static final Logger LOG = LoggerFactory.getLogger("agentloop");

  /** Hazelcast properties agentloop sets when the XML does not. */
  private static final Map<String, String> DEFAULT_PROPERTIES = Map.of(
      "hazelcast.phone.home.enabled", "false",
      "hazelcast.logging.type", "slf4j",
      "hazelcast.wait.seconds.before.join", "0",
      "hazelcast.heartbeat.interval.seconds", "1",
      "hazelcast.max.no.heartbeat.seconds", "5",
      "hazelcast.merge.first.run.delay.seconds", "10",
      "hazelcast.merge.next.run.delay.seconds", "10",
      "hazelcast.shutdownhook.enabled", "false",
      "hazelcast.tcp.join.port.try.count", "10");

  private ClusterSetup() {
  }

  static HazelcastClusterManager clusterManager(AgentloopConfig config) {
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(config.clusterName());
    DEFAULT_PROPERTIES.forEach((name, value) -> {
      if (hz.getProperty(name) == null) {
        hz.setProperty(name, value);
      }
    });
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    // Listen on the cluster interface only; Hazelcast otherwise binds to every interface (0.0.0.0).
    hz.setProperty("hazelcast.socket.bind.any", "false");
    NetworkConfig network = hz.getNetworkConfig();
    network.setPort(config.clusterPort()).setPortAutoIncrement(true).setPortCount(20);
    network.getInterfaces().setEnabled(true).clear().addInterface(config.clusterHost());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getKubernetesConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(config.clusterMembers());
    return new HazelcastClusterManager(hz);
  }

  /**
   * Logs the membership now and on every change ({@code local-cluster.sh status} reads these lines),
   * and records members that left, which the model chain uses to recognise a lost member.
   */
  static void watchMembers(Node node, HazelcastClusterManager cluster, AgentloopConfig config) {
    var hazelcast = cluster.getHazelcastInstance().getCluster();
    hazelcast.addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        node.state().clusterMembers(event.getMembers().size());
        LOG.info("cluster: member joined {}; members now {}", event.getMember().getAddress(), describe(event.getMembers()));
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        node.state().memberLeft();
        node.state().clusterMembers(event.getMembers().size());
        LOG.info("cluster: member left {}; members now {}", event.getMember().getAddress(), describe(event.getMembers()));
      }
    });
    cluster.getHazelcastInstance().getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleEvent.LifecycleState.SHUTTING_DOWN) {
        node.state().clusterMembers(0);
      }
    });
    node.state().clusterMembers(hazelcast.getMembers().size());
    LOG.info("cluster: node {} joined cluster '{}' at {}; members now {}", node.id(),
        config.clusterName(), hazelcast.getLocalMember().getAddress(), describe(hazelcast.getMembers()));
  }

  private static String describe(Set<Member> members) {
    return members.size() + " " + members.stream().map(m -> m.getAddress().toString()).sorted()
        .collect(Collectors.joining(", ", "[", "]"));
  }
}
