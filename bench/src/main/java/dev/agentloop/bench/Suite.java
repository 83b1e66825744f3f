package dev.agentloop.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The benchmark suite: starts the baselines and agentloop as separate JVMs, runs the selected
 * {@link Scenario}s in order, and writes BENCHMARKS.md and a JSON file ({@link Report}). Usage
 * (bench/run.sh passes these):
 * {@code java -jar agentloop-bench.jar [--quick] --repo DIR --agentloop-jar JAR --bench-jar JAR
 * --server-flags "FLAGS" [--out-md FILE] [--out-json FILE] [--only request,fanout,embeddings,persist,streams,pg,cluster]}.
 */
public final class Suite {

  private static final Logger LOG = LoggerFactory.getLogger("bench");

  /**
   * Every scenario in the order it runs: first those that share one suite JVM, then those that
   * start their own (a fresh JVM for the streams, so its memory before them is a clean baseline).
   */
  static final List<Scenario> SCENARIOS = List.of(new RequestScenario(), new FanoutScenario(),
      new EmbeddingsScenario(), new PersistScenario(), new StreamsScenario(), new ToolStreamsScenario(), new PostgresScenario(), new ClusterScenario());

  private final BenchContext context;
  private final List<String> only;
  private final Path outMd;
  private final Path outJson;

  private Suite(Map<String, String> args) throws Exception {
    context = new BenchContext(args);
    only = args.containsKey("--only") ? Arrays.asList(args.get("--only").split(",")) : null;
    outMd = Path.of(args.getOrDefault("--out-md", context.repo.resolve("BENCHMARKS.md").toString()));
    outJson = Path.of(args.getOrDefault("--out-json", context.repo.resolve("bench/target/bench-results.json").toString()));
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new HashMap<>();
    for (int i = 0; i < argv.length; i++) {
      if (argv[i].equals("--quick")) {
        args.put("--quick", "true");
      } else if (argv[i].startsWith("--") && i + 1 < argv.length) {
        args.put(argv[i], argv[++i]);
      } else {
        throw new IllegalArgumentException("unknown argument " + argv[i]);
      }
    }
    Suite suite = new Suite(args);
    int code = 0;
    try {
      suite.run();
    } catch (Exception e) {
      LOG.error("bench failed", e);
      code = 1;
    } finally {
      suite.context.close();
    }
    System.exit(code);
  }

  private void run() throws Exception {
    long started = System.nanoTime();
    Report report = context.report();
    report.figures().put("mode", context.quick ? "quick" : "full")
        .put("load_average_at_start", BenchContext.loadAverage());
    try (ServerProcess suite = context.startSuite("agentloop (one JVM)", Map.of())) {
      int bodySize = BenchContext.probeSize(context.gwPort);
      report.figures().put("mock_fast_completion_bytes", bodySize);
      context.shared(new BenchContext.SharedSuite(suite, bodySize,
          Target.post("gateway", context.gwPort, "/v1/chat/completions", Target.chat("mock-fast", false)),
          Target.post("mock port", context.llmPort, "/v1/chat/completions", Target.chat("mock-fast", false))));
      runAll(true);
    } finally {
      context.shared(null);
    }
    runAll(false);
    report.figures().put("suite_seconds", Math.round((System.nanoTime() - started) / 1e9))
        .put("load_average_at_end", BenchContext.loadAverage());
    report.write(outJson, outMd);
    LOG.info("bench: done in {} s; wrote {} and {}", Math.round((System.nanoTime() - started) / 1e9), outMd, outJson);
  }

  private void runAll(boolean onSharedSuite) throws Exception {
    for (Scenario scenario : SCENARIOS) {
      if (scenario.onSharedSuite() == onSharedSuite && scenario.selectedBy(only)) {
        LOG.debug("scenario {}: {}", scenario.name(), scenario.measures());
        context.report().add(scenario.run(context));
      }
    }
  }
}
