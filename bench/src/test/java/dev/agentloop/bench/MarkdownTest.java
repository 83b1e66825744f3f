package dev.agentloop.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BENCHMARKS.md as the report writer renders it: every table row between pipes, cells in order. */
class MarkdownTest {

  @TempDir
  Path repo;

  private static JsonObject json() {
    return new JsonObject().put("date", "2026-01-01T00:00:00Z")
        .put("machine", new JsonObject().put("cpu", "Test CPU").put("cores", 2).put("ram_gb", 4.0)
            .put("kernel", "6.1").put("jdk", "Test 25").put("server_jvm_flags", " -XX:+UseParallelGC ")
            .put("loadgen_jvm", "-Xmx1g").put("open_files_limit", "1024 1024 files"))
        .put("figures", new JsonObject().put("suite_seconds", 42).put("load_average_at_start", 0.5)
            .put("load_average_at_end", 0.75));
  }

  @Test
  void targets_runs_and_streams_are_rendered_as_table_rows() throws Exception {
    Report report = new Report(true, repo, List.of());
    report.add(List.of(Verdict.atLeast("Plain chat", "2,000 req/s", "4,000 req/s", 0.5, "×", 0.4, 0.6, "64 connections"),
        Verdict.notRun("Cluster", "≥ 0.60", "≥ 0.80", "no cluster script")));
    RequestLoad.Result run = new RequestLoad.Result("gateway, closed", "closed", 64, 0, 2.0, 100, new LatencyStats(),
        new LatencyStats());
    RequestLoad.Result open = new RequestLoad.Result("gateway, open", "open", 0, 1500, 2.0, 3000, new LatencyStats(),
        new LatencyStats());
    report.run(run, 49.6);
    report.run(open, null);
    GapStats gaps = new GapStats(1_000_000_000L);
    report.streamRun(new SseLoad.Result("1,000 streams", 1000, 1000, 990, 5000, 2.04, 10.0, new LatencyStats(), gaps,
        Map.of("timeout", 10), new LatencyStats(), new JsonObject().put("heap_after_gc_before_kb", 100)
            .put("heap_after_gc_held_kb", 200).put("rss_before_kb", 300).put("rss_held_kb", 400)
            .put("server_cpu_pct", 37).put("gc_pauses", 3).put("gc_pause_max_ms", 4.5).put("gc_pause_total_ms", 9)
            .put("load_average", 1.25).put("server_ttft_gateway_p50_ms_upper", 1.5)
            .put("server_ttft_gateway_p99_ms_upper", 2.5)));

    String md = Markdown.render(json(), report);

    assertThat(md).startsWith("# agentloop benchmarks\n\nWritten by `bench/run.sh --quick` on 2026-01-01T00:00:00Z "
        + "(quick mode, 42 s).");
    assertThat(md).contains("| CPU | Test CPU, 2 cores |\n")
        .contains("| Server JVM flags (agentloop, bare server) | `-XX:+UseParallelGC` |\n")
        .contains("| Machine load average (1 min) at start / end | 0.5 / 0.75 (2 cores:");
    assertThat(md).contains("| Plain chat | 2,000 req/s | 4,000 req/s | 0.5 × | ≥ 0.4 | ≥ 0.6 | **met** (aim not met) "
        + "| 64 connections |\n");
    assertThat(md).contains("| Cluster | — | — | — | ≥ 0.60 | ≥ 0.80 | not run: no cluster script |  |\n");
    assertThat(md).contains("| gateway, closed | closed | 64 | 2.0 | 100 | 50 | n/a | n/a | n/a | n/a | n/a | 0 | 50% "
        + "| n/a | " + report.loadAverages.get(run) + " |\n");
    assertThat(md).contains("| gateway, open | open | 1,500/s | 2.0 | 3000 | 1,500 | n/a | n/a | n/a | n/a | n/a | 0 "
        + "| — | n/a | " + report.loadAverages.get(open) + " |\n");
    String gap = Verdict.fmt(gaps.distortionMs(50)) + " | " + Verdict.fmt(gaps.distortionMs(99)) + " | "
        + Verdict.fmt(gaps.distortionMs(99.9)) + " | " + Verdict.fmt(gaps.distortionMs(100));
    assertThat(md).contains("| 1,000 streams | 1000 | 990 | 10 | 2.0 | 10 | 5000 | n/a | n/a | " + gap + " | 100 → 200 "
        + "| 300 → 400 | 37% | 3 / 4.5 / 9 | n/a / n/a | 1.25 | gateway ≤ 1.5 / ≤ 2.5 |\n");
    assertThat(md).contains("\nErrors at 1000 streams: `{timeout=10}`\n");
    assertThat(md).endsWith("\nRaw figures: `bench/target/bench-results.json` (same run).\n");
  }
}
