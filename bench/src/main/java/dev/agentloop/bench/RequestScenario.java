package dev.agentloop.bench;

import static dev.agentloop.bench.BenchContext.CONNECTIONS;
import static dev.agentloop.bench.BenchContext.round1;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plain chat through the gateway against a bare Vert.x server answering a body of the same size
 * and against the mock's own port: maximum throughput, latency added at concurrency 1 and at half
 * the maximum in open loop, then the event loop at 70% of the maximum ({@link EventLoopLag}).
 */
final class RequestScenario extends AbstractScenario {

  private static final Logger LOG = LoggerFactory.getLogger("bench");

  RequestScenario() {
    super("request", "plain chat throughput ÷ a bare Vert.x server, latency added over the mock port, "
        + "event-loop lag", true);
  }

  @Override
  public List<Verdict> run(BenchContext ctx) throws Exception {
    BenchContext.SharedSuite shared = ctx.shared();
    ServerProcess suite = shared.process();
    Target gateway = shared.gateway();
    Target mock = shared.mock();
    Loads loads = ctx.loads();
    List<Verdict> verdicts = new ArrayList<>();
    int barePort = BenchContext.freePort();
    LOG.info("== plain chat throughput (mock-fast), closed loop, {} connections, {} interleaved rounds", CONNECTIONS,
        loads.rounds());
    List<RequestLoad.Result> max;
    List<double[]> maxRounds = new ArrayList<>();
    try (ServerProcess bareServer = ServerProcess.start("bare Vert.x server",
        ServerProcess.java(ctx.serverFlags, "-cp", ctx.benchJar.toString(), BareServer.class.getName(),
            Integer.toString(barePort), Integer.toString(shared.bodySize())),
        Map.of(), ctx.work.resolve("bare.log"), "http://127.0.0.1:" + barePort + "/")) {
      Target bareTarget = Target.post("bare", barePort, "/v1/chat/completions", Target.chat("mock-fast", false));
      max = loads.interleaved(List.of(bareTarget, mock, gateway),
          List.of("bare Vert.x, closed", "mock port, closed", "gateway, closed"), CONNECTIONS, 0,
          Arrays.asList(bareServer, suite, suite), maxRounds);
    }
    RequestLoad.Result bare = max.get(0);
    RequestLoad.Result mockMax = max.get(1);
    RequestLoad.Result gwMax = max.get(2);
    ctx.report().figures().put("bare_rps", round1(bare.throughput())).put("mock_port_rps", round1(mockMax.throughput()))
        .put("gateway_rps", round1(gwMax.throughput()));
    double ratio = Loads.medianRatio(maxRounds.get(2), maxRounds.get(0));
    verdicts.add(Verdict.atLeast("Plain chat throughput (mock-fast): gateway ÷ bare Vert.x",
        String.format("%,.0f req/s", gwMax.throughput()), String.format("%,.0f req/s", bare.throughput()),
        ratio, "×", 0.40, 0.50,
        String.format("%d connections, closed loop, median of %d interleaved rounds (ratio of the totals %.3f); "
            + "mock port alone: %,.0f req/s (mock port ÷ bare %.3f); errors gw/bare: %d/%d", CONNECTIONS,
            loads.rounds(), gwMax.throughput() / bare.throughput(), mockMax.throughput(),
            Loads.medianRatio(maxRounds.get(1), maxRounds.get(0)), gwMax.latency().errors(), bare.latency().errors())));

    LOG.info("== latency the gateway adds at concurrency 1");
    List<RequestLoad.Result> one = loads.interleaved(List.of(mock, gateway),
        List.of("mock port, 1 connection", "gateway, 1 connection"), 1, 0, Arrays.asList(suite, suite),
        new ArrayList<>());
    RequestLoad.Result mock1 = one.get(0);
    RequestLoad.Result gw1 = one.get(1);
    double added50 = gw1.latency().percentileMs(50) - mock1.latency().percentileMs(50);
    verdicts.add(Verdict.atMost("Latency added by the gateway at concurrency 1: gateway p50 − mock port p50",
        "p50 " + Verdict.fmt(gw1.latency().percentileMs(50)) + " ms",
        "p50 " + Verdict.fmt(mock1.latency().percentileMs(50)) + " ms", added50, "ms", 0.5, 0.3,
        String.format("p99 %s vs %s ms; %d interleaved rounds", Verdict.fmt(gw1.latency().percentileMs(99)),
            Verdict.fmt(mock1.latency().percentileMs(99)), loads.rounds())));

    double half = gwMax.throughput() / 2;
    LOG.info("== open loop at half the gateway's max: {}/s", Math.round(half));
    List<RequestLoad.Result> halves = loads.interleaved(List.of(mock, gateway),
        List.of("mock port, open @½ max", "gateway, open @½ max"), 0, half, Arrays.asList(suite, suite),
        new ArrayList<>());
    RequestLoad.Result mockHalf = halves.get(0);
    RequestLoad.Result gwHalf = halves.get(1);
    double added99 = gwHalf.latency().percentileMs(99) - mockHalf.latency().percentileMs(99);
    verdicts.add(Verdict.atMost(String.format("Latency added at an open-loop %,.0f req/s (½ gateway max): p99 gateway − p99 mock port", half),
        "p99 " + Verdict.fmt(gwHalf.latency().percentileMs(99)) + " ms",
        "p99 " + Verdict.fmt(mockHalf.latency().percentileMs(99)) + " ms", added99, "ms", 5, 2,
        String.format("latency from intended send time; p50 %s vs %s ms; errors %d/%d; %d interleaved rounds",
            Verdict.fmt(gwHalf.latency().percentileMs(50)), Verdict.fmt(mockHalf.latency().percentileMs(50)),
            gwHalf.latency().errors(), mockHalf.latency().errors(), loads.rounds())));

    verdicts.add(EventLoopLag.measure(ctx, suite, gateway, gwMax.throughput() * 0.7));
    return verdicts;
  }
}
