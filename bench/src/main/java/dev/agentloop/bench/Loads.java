package dev.agentloop.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request/response measurements the scenarios are made of: a closed or open loop against one
 * target after its warm-up, or several targets in interleaved rounds. Every run goes to the report
 * with the server's CPU over it.
 */
final class Loads {

  private static final Logger LOG = LoggerFactory.getLogger("bench");

  private final Vertx vertx;
  private final Report report;
  private final boolean quick;

  Loads(Vertx vertx, Report report, boolean quick) {
    this.vertx = vertx;
    this.report = report;
    this.quick = quick;
  }

  int rounds() {
    return quick ? 2 : 3;
  }

  // ---- durations: quick mode keeps the whole suite under two minutes

  long warmupMs() {
    return quick ? 1500 : 5000;
  }

  long measureMs() {
    return quick ? 3000 : 15000;
  }

  HttpClientAgent client(int maxConnections) {
    return Clients.http(vertx, maxConnections, null);
  }

  /** A closed loop of {@code connections} after its warm-up; {@code server} (or null) for its CPU. */
  RequestLoad.Result closed(Target target, String label, int connections, ServerProcess server) throws Exception {
    HttpClientAgent client = client(connections);
    try {
      warmUp(new RequestLoad(vertx, client, target), label, connections);
      RequestLoad.Result r = closed(new RequestLoad(vertx, client, target), label, connections, 1000, server);
      LOG.info("{}: {} req/s, p50 {} ms, p99 {} ms, errors {}", label, Math.round(r.throughput()),
          Verdict.fmt(r.latency().percentileMs(50)), Verdict.fmt(r.latency().percentileMs(99)), r.latency().errors());
      return r;
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** A closed loop for the measurement time, warmed up by the caller; recorded in the report. */
  RequestLoad.Result closed(RequestLoad load, String label, int connections, long settleMs, ServerProcess server)
      throws Exception {
    long cpu0 = server == null ? -1 : server.cpuMs();
    long t0 = System.nanoTime();
    RequestLoad.Result r = load.closedLoop(label, connections, settleMs, measureMs()).await(5, TimeUnit.MINUTES);
    record(r, server, cpu0, t0);
    return r;
  }

  /** An open loop at {@code rate} per second, latency from each request's intended send time. */
  RequestLoad.Result open(Target target, String label, double rate, long measureMs, ServerProcess server)
      throws Exception {
    HttpClientAgent client = client(512);
    try {
      long cpu0 = server == null ? -1 : server.cpuMs();
      long t0 = System.nanoTime();
      RequestLoad.Result r = new RequestLoad(vertx, client, target).openLoop(label, rate, warmupMs(), measureMs)
          .await(5, TimeUnit.MINUTES);
      record(r, server, cpu0, t0);
      LOG.info("{}: offered {}/s, completed {}/s, p50 {} ms, p99 {} ms, errors {}", label, Math.round(rate),
          Math.round(r.throughput()), Verdict.fmt(r.latency().percentileMs(50)),
          Verdict.fmt(r.latency().percentileMs(99)), r.latency().errors());
      return r;
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
    }
  }

  private void record(RequestLoad.Result r, ServerProcess server, long cpu0, long t0) {
    double wallMs = (System.nanoTime() - t0) / 1e6;
    report.run(r, server != null && cpu0 >= 0 ? 100.0 * (server.cpuMs() - cpu0) / wallMs : null);
  }

  /**
   * Measures several targets in alternating rounds (A, B, C, A, B, C, ...) after warming each up, so
   * a burst of other work on this shared machine hits all of them rather than one. Returns one
   * combined result per target; {@code perRound} gets each round's throughputs. A positive
   * {@code openRate} runs open loops at that rate instead of closed loops.
   */
  List<RequestLoad.Result> interleaved(List<Target> targets, List<String> labels, int connections,
      double openRate, List<ServerProcess> servers, List<double[]> perRound) throws Exception {
    List<HttpClientAgent> clients = new ArrayList<>();
    List<RequestLoad.Result> combined = new ArrayList<>();
    try {
      for (int t = 0; t < targets.size(); t++) {
        clients.add(client(openRate > 0 ? 512 : connections));
        if (openRate <= 0) {
          warmUp(new RequestLoad(vertx, clients.get(t), targets.get(t)), labels.get(t), connections);
        }
        perRound.add(new double[rounds()]);
      }
      long sliceMs = measureMs() / rounds();
      long[] completed = new long[targets.size()];
      LatencyStats[] latency = new LatencyStats[targets.size()];
      LatencyStats[] lag = new LatencyStats[targets.size()];
      long[] cpu = new long[targets.size()];
      long[] wall = new long[targets.size()];
      for (int r = 0; r < rounds(); r++) {
        for (int t = 0; t < targets.size(); t++) {
          ServerProcess server = servers.get(t);
          long cpu0 = server == null ? -1 : server.cpuMs();
          long t0 = System.nanoTime();
          RequestLoad load = new RequestLoad(vertx, clients.get(t), targets.get(t));
          String label = labels.get(t) + " (round " + (r + 1) + ")";
          RequestLoad.Result one = openRate > 0
              ? load.openLoop(label, openRate, quick ? 1000 : 2000, sliceMs).await(5, TimeUnit.MINUTES)
              : load.closedLoop(label, connections, 500, sliceMs).await(5, TimeUnit.MINUTES);
          wall[t] += System.nanoTime() - t0;
          cpu[t] += server == null ? 0 : server.cpuMs() - cpu0;
          perRound.get(t)[r] = one.throughput();
          completed[t] += one.completed();
          latency[t] = latency[t] == null ? one.latency() : latency[t].add(one.latency());
          lag[t] = lag[t] == null ? one.clientLag() : lag[t].add(one.clientLag());
        }
      }
      for (int t = 0; t < targets.size(); t++) {
        RequestLoad.Result result = new RequestLoad.Result(labels.get(t), openRate > 0 ? "open" : "closed",
            connections, openRate, sliceMs * rounds() / 1000.0, completed[t], latency[t], lag[t]);
        report.run(result, servers.get(t) == null ? null : 100.0 * cpu[t] / (wall[t] / 1e6));
        LOG.info("{}: {} req/s, p50 {} ms, p99 {} ms, errors {}; per round {}", labels.get(t),
            Math.round(result.throughput()), Verdict.fmt(result.latency().percentileMs(50)),
            Verdict.fmt(result.latency().percentileMs(99)), result.latency().errors(),
            Arrays.toString(Arrays.stream(perRound.get(t)).map(Math::round).toArray()));
        combined.add(result);
      }
      return combined;
    } finally {
      for (HttpClientAgent c : clients) {
        c.close().await(10, TimeUnit.SECONDS);
      }
    }
  }

  /** The median of the per-round ratios {@code a[i] / b[i]}: one busy round does not decide it. */
  static double medianRatio(double[] a, double[] b) {
    double[] ratios = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      ratios[i] = a[i] / b[i];
    }
    Arrays.sort(ratios);
    return ratios.length % 2 == 1 ? ratios[ratios.length / 2]
        : (ratios[ratios.length / 2 - 1] + ratios[ratios.length / 2]) / 2;
  }

  /**
   * Runs the load in two-second slices until the JIT has settled: two slices in a row within 10% of
   * each other, after at least 15 s (3 s in quick mode) and at most 45 s (8 s): the gateway's deep
   * call path keeps getting faster for 15-20 s while C2 compiles it, longer when the machine is busy.
   */
  private void warmUp(RequestLoad load, String label, int connections) throws Exception {
    long start = System.nanoTime();
    double previous = -1;
    while (true) {
      double rps = load.closedLoop("warm-up " + label, connections, 0, 2000).await(2, TimeUnit.MINUTES).throughput();
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;
      boolean settled = previous > 0 && Math.abs(rps - previous) <= 0.10 * Math.max(rps, previous);
      if ((settled && elapsedMs >= (quick ? 3_000 : 15_000)) || elapsedMs >= (quick ? 8_000 : 45_000)) {
        LOG.info("  warm-up of {} done after {} s at {} req/s{}", label, elapsedMs / 1000, Math.round(rps),
            settled ? "" : " (not settled: the machine is busy)");
        return;
      }
      previous = rps;
    }
  }
}
