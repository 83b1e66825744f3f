package dev.agentloop.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Renders BENCHMARKS.md from one run; the hand-written analysis in bench/ANALYSIS.md is appended. */
final class Markdown {

  private Markdown() {
  }

  private static String v(JsonObject x, String key) {
    Object value = x.getValue(key);
    return value == null ? "—" : String.valueOf(value);
  }

  /** One table row: the cells between pipes. */
  private static void row(StringBuilder md, Object... cells) {
    md.append("| ");
    for (int i = 0; i < cells.length; i++) {
      md.append(i == 0 ? "" : " | ").append(cells[i]);
    }
    md.append(" |\n");
  }

  static String render(JsonObject json, Report report) throws IOException {
    boolean quick = report.quick;
    JsonObject m = json.getJsonObject("machine");
    StringBuilder md = new StringBuilder();
    md.append("# agentloop benchmarks\n\n");
    md.append("Written by `bench/run.sh").append(quick ? " --quick" : "").append("` on ")
        .append(json.getString("date")).append(" (").append(quick ? "quick" : "full").append(" mode, ")
        .append(json.getJsonObject("figures").getLong("suite_seconds")).append(" s). Do not edit by hand: ")
        .append("re-run the script. Every ratio compares two figures measured in this same run.\n\n");
    md.append("## Machine\n\n");
    md.append("| | |\n|---|---|\n");
    md.append("| CPU | ").append(m.getString("cpu")).append(", ").append(m.getInteger("cores")).append(" cores |\n");
    md.append("| RAM | ").append(m.getDouble("ram_gb")).append(" GB |\n");
    md.append("| Kernel | ").append(m.getString("kernel")).append(" |\n");
    md.append("| JDK | ").append(m.getString("jdk")).append(" |\n");
    md.append("| Server JVM flags (agentloop, bare server) | `").append(m.getString("server_jvm_flags").trim())
        .append("` |\n");
    md.append("| Load generator JVM | `").append(m.getString("loadgen_jvm")).append("`, one Vert.x event loop |\n");
    md.append("| Open files limit | ").append(m.getString("open_files_limit")).append(" |\n");
    JsonObject f = json.getJsonObject("figures");
    md.append("| Machine load average (1 min) at start / end | ").append(f.getValue("load_average_at_start"))
        .append(" / ").append(f.getValue("load_average_at_end")).append(" (2 cores: above 2 means work was queueing for CPU) |\n\n");
    md.append("The machine is shared (other builds may have run at the same time) and the load generator runs on the ")
        .append("same two cores as the server it measures, so absolute numbers are modest and noisy; the ratios ")
        .append("are what the targets use.\n\n");

    md.append("## Targets\n\n");
    md.append("| Scenario | Measured | Baseline | Value | Must | Aim | Result | Notes |\n");
    md.append("|---|---|---|---|---|---|---|---|\n");
    for (Verdict v : report.verdicts) {
      row(md, v.scenario(), v.measured(), v.baseline(), v.valueText(), v.must(), v.aim(), v.statusText(),
          v.status() == Verdict.Status.NOT_RUN ? "" : v.note());
    }

    md.append("\n## Request/response runs\n\n");
    md.append("Closed loop: N connections, each sends its next request when the last one answered; latency from ")
        .append("send to full body. Open loop: a fixed rate, latency from each request's intended send time ")
        .append("(so queueing is not hidden). Warm-up excluded. Server CPU: user+system CPU of the server ")
        .append("process over the run ÷ wall time (200% = both cores).\n\n");
    md.append("| Run | Mode | Conns / rate | Seconds | Completed | Req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | Errors | Server CPU | Load-gen loop lag p99 ms | Machine load avg |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (RequestLoad.Result r : report.runs) {
      LatencyStats l = r.latency();
      Double cpu = report.serverCpu.get(r);
      row(md, r.label(), r.mode(), r.mode().equals("open") ? String.format("%,.0f/s", r.offeredRate()) : r.connections(),
          r.seconds(), r.completed(), String.format("%,.0f", r.throughput()), Verdict.fmt(l.percentileMs(50)),
          Verdict.fmt(l.percentileMs(90)), Verdict.fmt(l.percentileMs(99)), Verdict.fmt(l.percentileMs(99.9)),
          Verdict.fmt(l.maxMs()), l.errors(), cpu != null ? Math.round(cpu) + "%" : "—",
          Verdict.fmt(r.clientLag().percentileMs(99)), report.loadAverages.get(r));
    }

    List<SseLoad.Result> streams = report.streamRuns;
    if (!streams.isEmpty()) {
      md.append("\n## Stream runs\n\n");
      md.append("Model `").append(BenchContext.STREAM_MODEL).append("`: first token after ").append(BenchContext.STREAM_FIRST_TOKEN_MS)
          .append(" ms, then one token every ").append(BenchContext.STREAM_GAP_MS).append(" ms. TTFT counts from the request ")
          .append("send (TCP connect included). Gap distortion = |observed gap − 1,000 ms| per pair of consecutive ")
          .append("tokens, recorded during the ramp and the window. Memory: heap in use after a full GC ")
          .append("(`jcmd GC.run`) and RSS of the agentloop process, before the ramp and at the end of the window.\n\n");
      md.append("| Streams | Opened | Held | Errors | Ramp s | Window s | Tokens | TTFT p50 ms | TTFT p99 ms | Gap dist. p50 ms | p99 ms | p99.9 ms | max ms | Heap after GC KB (before → held) | RSS KB (before → held) | Server CPU | Server GC pauses (n / max ms / total ms) | Load-gen loop lag p99 / max ms | Machine load avg | Server-side TTFT p50 / p99 ms (bucket bound) |\n");
      md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
      for (SseLoad.Result s : streams) {
        JsonObject x = s.extra();
        row(md, s.label(), s.opened(), s.held(), s.errorCount(), String.format("%.1f", s.rampSeconds()),
            String.format("%.0f", s.windowSeconds()), s.tokens(), Verdict.fmt(s.ttft().percentileMs(50)),
            Verdict.fmt(s.ttft().percentileMs(99)), Verdict.fmt(s.gaps().distortionMs(50)),
            Verdict.fmt(s.gaps().distortionMs(99)), Verdict.fmt(s.gaps().distortionMs(99.9)),
            Verdict.fmt(s.gaps().distortionMs(100)),
            v(x, "heap_after_gc_before_kb") + " → " + v(x, "heap_after_gc_held_kb"),
            v(x, "rss_before_kb") + " → " + v(x, "rss_held_kb"), v(x, "server_cpu_pct") + "%",
            v(x, "gc_pauses") + " / " + v(x, "gc_pause_max_ms") + " / " + v(x, "gc_pause_total_ms"),
            Verdict.fmt(s.clientLag().percentileMs(99)) + " / " + Verdict.fmt(s.clientLag().maxMs()),
            v(x, "load_average"), serverTtft(x));
        if (!s.errors().isEmpty()) {
          md.append("\nErrors at ").append(s.requested()).append(" streams: `").append(s.errors()).append("`\n\n");
        }
      }
    }
    md.append("\nRaw figures: `bench/target/bench-results.json` (same run).\n");
    Path analysis = report.repo.resolve("bench/ANALYSIS.md");
    if (Files.exists(analysis)) {
      md.append("\n").append(Files.readString(analysis));
    }
    return md.toString();
  }

  /** The server's own TTFT bucket bounds of a stream run: the gateway's, else the mock port's. */
  private static String serverTtft(JsonObject x) {
    if (x.containsKey("server_ttft_gateway_p50_ms_upper")) {
      return "gateway ≤ " + v(x, "server_ttft_gateway_p50_ms_upper") + " / ≤ " + v(x, "server_ttft_gateway_p99_ms_upper");
    }
    if (x.containsKey("server_ttft_llm_p50_ms_upper")) {
      return "mock port ≤ " + v(x, "server_ttft_llm_p50_ms_upper") + " / ≤ " + v(x, "server_ttft_llm_p99_ms_upper");
    }
    return "—";
  }
}
