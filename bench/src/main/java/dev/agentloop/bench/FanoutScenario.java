package dev.agentloop.bench;

import java.net.http.HttpResponse;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Fan-out of five mock-realistic calls against one such call: the wall time fan-out adds. */
final class FanoutScenario extends AbstractScenario {

  private static final Logger LOG = LoggerFactory.getLogger("bench");
  private static final String SCENARIO = "Fan-out 5 × mock-realistic ÷ one mock-realistic call (p50 wall time)";

  FanoutScenario() {
    super("fanout", "p50 wall time of a five-model fan-out ÷ one call to the same model", true);
  }

  @Override
  public List<Verdict> run(BenchContext ctx) throws Exception {
    int gwPort = ctx.gwPort;
    String single = Target.chat("mock-realistic", false);
    String fan = "{\"models\":[\"mock-realistic\",\"mock-realistic\",\"mock-realistic\",\"mock-realistic\","
        + "\"mock-realistic\"],\"mode\":\"all\",\"messages\":[{\"role\":\"user\",\"content\":\"Say something.\"}]}";
    HttpResponse<byte[]> probe = BenchContext.post(gwPort, "/v1/chat/fanout", fan);
    if (probe.statusCode() == 404 || probe.statusCode() == 405) {
      return List.of(Verdict.notRun(SCENARIO, "≤ 1.15", "—", "POST /v1/chat/fanout answers " + probe.statusCode()
          + " on this build"));
    }
    if (probe.statusCode() != 200) {
      return List.of(Verdict.failed(SCENARIO, "≤ 1.15", "—", "probe answered " + probe.statusCode() + ": "
          + new String(probe.body()).substring(0, Math.min(200, probe.body().length))));
    }
    LOG.info("== fan-out");
    int c = 4;
    RequestLoad.Result one = ctx.loads().closed(Target.post("single", gwPort, "/v1/chat/completions", single),
        "one mock-realistic call", c, null);
    RequestLoad.Result five = ctx.loads().closed(Target.post("fanout", gwPort, "/v1/chat/fanout", fan),
        "fan-out 5 × mock-realistic", c, null);
    return List.of(Verdict.atMost(SCENARIO, "p50 " + Verdict.fmt(five.latency().percentileMs(50)) + " ms",
        "p50 " + Verdict.fmt(one.latency().percentileMs(50)) + " ms",
        five.latency().percentileMs(50) / one.latency().percentileMs(50), "×", 1.15, 1.15,
        c + " concurrent clients each; errors " + five.latency().errors() + "/" + one.latency().errors()));
  }
}
