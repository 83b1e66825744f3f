package dev.agentloop.bench;

import static dev.agentloop.bench.BenchContext.CONNECTIONS;
import static dev.agentloop.bench.BenchContext.freePort;
import static dev.agentloop.bench.BenchContext.round1;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clustered suite (deploy/local-cluster.sh: gateway, storage and two llm members, each in its
 * own JVM) against a one-JVM suite started beside it, loaded in interleaved rounds.
 */
final class ClusterScenario extends AbstractScenario {

  private static final Logger LOG = LoggerFactory.getLogger("bench");
  private static final String SCENARIO = "Clustered ÷ one-JVM plain chat throughput";

  ClusterScenario() {
    super("cluster", "plain chat throughput of the four-JVM cluster ÷ a one-JVM suite beside it", false);
  }

  @Override
  public List<Verdict> run(BenchContext ctx) throws Exception {
    Path script = ctx.repo.resolve("deploy/local-cluster.sh");
    if (!Files.isExecutable(script)) {
      return List.of(Verdict.notRun(SCENARIO, "≥ 0.60", "≥ 0.80", "deploy/local-cluster.sh is not on this build"));
    }
    int clusterHttp = freePort();
    int oneHttp = freePort();
    Map<String, String> env = Map.of(
        "AGENTLOOP_HTTP_PORT", Integer.toString(clusterHttp),
        "AGENTLOOP_LLM_HTTP_PORT", Integer.toString(freePort()),
        "AGENTLOOP_CLUSTER_NAME", "bench-" + UUID.randomUUID(),
        "AGENTLOOP_CLUSTER_PORT", "5901",
        "AGENTLOOP_CLUSTER_DIR", ctx.work.resolve("cluster").toString(),
        "AGENTLOOP_NO_BUILD", "1",
        "AGENTLOOP_CONFIG", ctx.config().toString());
    LOG.info("== clustered suite: deploy/local-cluster.sh start");
    int started = script(ctx, script, "start", env);
    try {
      if (started != 0) {
        return List.of(Verdict.notRun(SCENARIO, "≥ 0.60", "≥ 0.80",
            "deploy/local-cluster.sh start exited " + started + "; see " + ctx.work.resolve("cluster")));
      }
      try (ServerProcess oneJvm = ctx.startSuite("agentloop (one JVM, beside the cluster)", oneHttp, freePort(),
          Map.of())) {
        Target one = Target.post("one JVM", oneHttp, "/v1/chat/completions", Target.chat("mock-fast", false));
        Target clustered = Target.post("clustered", clusterHttp, "/v1/chat/completions", Target.chat("mock-fast", false));
        List<double[]> perRound = new ArrayList<>();
        Loads loads = ctx.loads();
        List<RequestLoad.Result> results = loads.interleaved(List.of(one, clustered),
            List.of("one JVM, closed", "clustered (4 JVMs), closed"), CONNECTIONS, 0, Arrays.asList(oneJvm, null),
            perRound);
        ctx.report().figures().put("one_jvm_rps_beside_cluster", round1(results.get(0).throughput()))
            .put("clustered_rps", round1(results.get(1).throughput()));
        return List.of(Verdict.atLeast(SCENARIO,
            String.format("%,.0f req/s", results.get(1).throughput()),
            String.format("%,.0f req/s", results.get(0).throughput()),
            Loads.medianRatio(perRound.get(1), perRound.get(0)), "×", 0.60, 0.80,
            String.format("%d connections, closed loop, median of %d interleaved rounds; the cluster is gateway + storage "
                + "+ 2 llm JVMs on the same 2 cores; errors clustered/one: %d/%d", CONNECTIONS, loads.rounds(),
                results.get(1).latency().errors(), results.get(0).latency().errors())));
      }
    } finally {
      script(ctx, script, "stop", env);
    }
  }

  private static int script(BenchContext ctx, Path script, String command, Map<String, String> env) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("bash", script.toString(), command).directory(ctx.repo.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(ctx.work.resolve("cluster.log").toFile()));
    builder.environment().putAll(env);
    Process process = builder.start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      return -1;
    }
    return process.exitValue();
  }
}
