package dev.agentloop.bench;

import static dev.agentloop.bench.BenchContext.STREAM_FIRST_TOKEN_MS;
import static dev.agentloop.bench.BenchContext.STREAM_GAP_MS;
import static dev.agentloop.bench.BenchContext.STREAM_MODEL;

import java.util.List;
import java.util.Map;

/**
 * 1,000 concurrent tool-call streams of the slow streaming model through the gateway, and the same
 * streams straight to the mock's port: the time to the first tool-call fragment (the one with the
 * call's id and name) over the model's first-token delay, and how far the gaps between argument
 * fragments stray from the model's pace. The tool's one string argument is long enough that every
 * stream is still sending fragments when the window ends.
 */
final class ToolStreamsScenario extends AbstractScenario {

  static final int STREAMS = 1000;

  ToolStreamsScenario() {
    super("tool-streams", "time to the first tool-call fragment and fragment-gap distortion at 1,000 tool-call streams",
        false);
  }

  static String body() {
    return "{\"model\":\"" + STREAM_MODEL + "\",\"stream\":true,\"tool_choice\":\"required\","
        + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"write_note\",\"parameters\":{\"type\":\"object\","
        + "\"properties\":{\"text\":{\"type\":\"string\",\"minLength\":2000}},\"required\":[\"text\"],"
        + "\"additionalProperties\":false}}}],"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Write a note about event loops.\"}]}";
  }

  @Override
  public List<Verdict> run(BenchContext ctx) throws Exception {
    StreamsScenario.Run run = new StreamsScenario.Run(ctx);
    long window = ctx.quick ? 10_000 : 15_000;
    SseLoad.Result gateway;
    SseLoad.Result direct;
    try (ServerProcess suite = ctx.startSuite("agentloop (one JVM, tool-call streams)", Map.of())) {
      Target viaGateway = Target.post("tool-call streams", ctx.gwPort, "/v1/chat/completions", body());
      run.streams(suite, viaGateway, STREAMS, 500, 3000, false); // warm both sides
      gateway = run.streams(suite, viaGateway, STREAMS, 500, window, true);
      direct = run.streams(suite, Target.post("tool-call streams, mock port", ctx.llmPort, "/v1/chat/completions",
          body()), STREAMS, 500, window, true);
    }
    double overhead = gateway.ttft().percentileMs(50) - STREAM_FIRST_TOKEN_MS;
    double directOverhead = direct.ttft().percentileMs(50) - STREAM_FIRST_TOKEN_MS;
    return List.of(
        Verdict.atMost("Time to first tool-call fragment at 1,000 streams: p50 − model first-token delay (200 ms)",
            "p50 " + Verdict.fmt(gateway.ttft().percentileMs(50)) + " ms", "mock port p50 "
                + Verdict.fmt(direct.ttft().percentileMs(50)) + " ms", overhead, "ms", 2, 1,
            String.format("p99 %s ms; the same streams to the mock port without the gateway: overhead %s ms; "
                + "%,d held through the gateway, %d errors", Verdict.fmt(gateway.ttft().percentileMs(99)),
                Verdict.fmt(directOverhead), gateway.held(), gateway.errorCount())),
        Verdict.atMost("Tool-call fragment gap distortion p99 \\|observed − 1,000 ms\\| at 1,000 streams",
            "p99 " + Verdict.fmt(gateway.gaps().distortionMs(99)) + " ms", "mock port p99 "
                + Verdict.fmt(direct.gaps().distortionMs(99)) + " ms", gateway.gaps().distortionMs(99), "ms", 5, 2,
            String.format("%,d gaps; p50 %s ms; configured gap %d ms", gateway.gaps().count(),
                Verdict.fmt(gateway.gaps().distortionMs(50)), STREAM_GAP_MS)));
  }
}
