package dev.agentloop.bench;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeddings of 16-input batches ({@code mock-embed}, 1536 floats each) through the gateway against
 * the mock's own port in the same run: embeddings per second, and the share the gateway keeps.
 */
final class EmbeddingsScenario extends AbstractScenario {

  private static final Logger LOG = LoggerFactory.getLogger("bench");
  private static final String SCENARIO = "Embeddings, 16-input batches (mock-embed, float): gateway ÷ mock port";
  static final int BATCH = 16;
  private static final int CONNECTIONS = 16;

  EmbeddingsScenario() {
    super("embeddings", "embeddings per second for 16-input batches through the gateway ÷ the mock port", true);
  }

  /** A batch of {@code BATCH} distinct sentences of about a dozen words each. */
  static String batch() {
    StringBuilder body = new StringBuilder("{\"model\":\"mock-embed\",\"encoding_format\":\"float\",\"input\":[");
    for (int i = 0; i < BATCH; i++) {
      body.append(i == 0 ? "" : ",").append("\"Document ").append(i)
          .append(" explains how event loops schedule callbacks without blocking threads\"");
    }
    return body.append("]}").toString();
  }

  @Override
  public List<Verdict> run(BenchContext ctx) throws Exception {
    String body = batch();
    HttpResponse<byte[]> probe = BenchContext.post(ctx.gwPort, "/v1/embeddings", body);
    if (probe.statusCode() == 404 || probe.statusCode() == 405) {
      return List.of(Verdict.notRun(SCENARIO, "≥ 0.70", "≥ 0.85", "POST /v1/embeddings answers "
          + probe.statusCode() + " on this build"));
    }
    if (probe.statusCode() != 200) {
      return List.of(Verdict.failed(SCENARIO, "≥ 0.70", "≥ 0.85", "probe answered " + probe.statusCode() + ": "
          + new String(probe.body()).substring(0, Math.min(200, probe.body().length))));
    }
    ServerProcess suite = ctx.shared().process();
    Target mock = Target.post("mock port", ctx.llmPort, "/v1/embeddings", body);
    Target gateway = Target.post("gateway", ctx.gwPort, "/v1/embeddings", body);
    LOG.info("== embeddings, {}-input batches, closed loop, {} connections, {} interleaved rounds", BATCH,
        CONNECTIONS, ctx.loads().rounds());
    List<double[]> rounds = new ArrayList<>();
    List<RequestLoad.Result> results = ctx.loads().interleaved(List.of(mock, gateway),
        List.of("embeddings, mock port", "embeddings, gateway"), CONNECTIONS, 0, Arrays.asList(suite, suite), rounds);
    RequestLoad.Result mockRun = results.get(0);
    RequestLoad.Result gwRun = results.get(1);
    double gwPerSecond = gwRun.throughput() * BATCH;
    double mockPerSecond = mockRun.throughput() * BATCH;
    ctx.report().figures().put("embeddings_per_second_gateway", BenchContext.round1(gwPerSecond))
        .put("embeddings_per_second_mock_port", BenchContext.round1(mockPerSecond))
        .put("embedding_batch_bytes", probe.body().length);
    return List.of(Verdict.atLeast(SCENARIO, String.format("%,.0f embeddings/s", gwPerSecond),
        String.format("%,.0f embeddings/s", mockPerSecond), Loads.medianRatio(rounds.get(1), rounds.get(0)), "×",
        0.70, 0.85, String.format("%d connections, closed loop, median of %d interleaved rounds; %,.0f vs %,.0f "
            + "batches/s; p50 %s vs %s ms; a batch answer is %,d bytes; errors gw/mock: %d/%d", CONNECTIONS,
            ctx.loads().rounds(), gwRun.throughput(), mockRun.throughput(),
            Verdict.fmt(gwRun.latency().percentileMs(50)), Verdict.fmt(mockRun.latency().percentileMs(50)),
            probe.body().length, gwRun.latency().errors(), mockRun.latency().errors())));
  }
}
