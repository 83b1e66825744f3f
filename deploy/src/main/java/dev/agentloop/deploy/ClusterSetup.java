package dev.agentloop.deploy;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import dev.agentloop.common.config.AgentloopConfig;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * The Hazelcast member a clustered process runs: TCP-IP join to the configured members only,
 * multicast, auto-detection and phone-home off, bound to the cluster host, failure detection in
 * seconds rather than the default minute.
 */
final class ClusterSetup {

  private ClusterSetup() {
  }

  static HazelcastClusterManager clusterManager(AgentloopConfig config) {
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(config.clusterName());
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.logging.type", "slf4j");
    hz.setProperty("hazelcast.wait.seconds.before.join", "0");
    hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
    hz.setProperty("hazelcast.merge.first.run.delay.seconds", "10");
    hz.setProperty("hazelcast.merge.next.run.delay.seconds", "10");
    hz.setProperty("hazelcast.shutdownhook.enabled", "false");
    NetworkConfig network = hz.getNetworkConfig();
    network.setPort(config.clusterPort()).setPortAutoIncrement(true).setPortCount(20);
    network.getInterfaces().setEnabled(true).clear().addInterface(config.clusterHost());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(config.clusterMembers());
    return new HazelcastClusterManager(hz);
  }
}
