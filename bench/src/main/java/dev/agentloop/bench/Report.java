package dev.agentloop.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one run measured: the targets table's rows, named figures, every request/response run
 * with the server's CPU and the machine's load average over it, and every stream run. Written as
 * JSON (raw figures) and as BENCHMARKS.md ({@link Markdown}).
 */
final class Report {

  final boolean quick;
  final Path repo;
  private final List<String> serverFlags;
  final List<Verdict> verdicts = new ArrayList<>();
  final JsonObject figures = new JsonObject();
  final List<RequestLoad.Result> runs = new ArrayList<>();
  final Map<RequestLoad.Result, Double> serverCpu = new HashMap<>();
  final Map<RequestLoad.Result, Double> loadAverages = new HashMap<>();
  final List<SseLoad.Result> streamRuns = new ArrayList<>();

  Report(boolean quick, Path repo, List<String> serverFlags) {
    this.quick = quick;
    this.repo = repo;
    this.serverFlags = serverFlags;
  }

  /** Records a request/response run; {@code serverCpuPct} null when no server's CPU was measured. */
  void run(RequestLoad.Result r, Double serverCpuPct) {
    runs.add(r);
    loadAverages.put(r, BenchContext.loadAverage());
    if (serverCpuPct != null) {
      serverCpu.put(r, serverCpuPct);
    }
  }

  void streamRun(SseLoad.Result r) {
    streamRuns.add(r);
  }

  JsonObject figures() {
    return figures;
  }

  void add(List<Verdict> rows) {
    verdicts.addAll(rows);
  }

  void write(Path outJson, Path outMd) throws IOException {
    JsonObject json = new JsonObject()
        .put("date", ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
        .put("machine", machine())
        .put("figures", figures)
        .put("verdicts", new JsonArray(verdicts.stream().map(Verdict::toJson).toList()))
        .put("runs", new JsonArray(runs.stream().map(r -> r.toJson().put("server_cpu_pct",
            serverCpu.containsKey(r) ? Math.round(serverCpu.get(r)) : null).put("load_average", loadAverages.get(r)))
            .toList()))
        .put("stream_runs", new JsonArray(streamRuns.stream().map(SseLoad.Result::toJson).toList()));
    Files.createDirectories(outJson.toAbsolutePath().getParent());
    Files.writeString(outJson, json.encodePrettily());
    Files.writeString(outMd, Markdown.render(json, this));
  }

  private JsonObject machine() {
    JsonObject m = new JsonObject().put("cores", Runtime.getRuntime().availableProcessors());
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          m.put("cpu", line.substring(line.indexOf(':') + 1).trim());
          break;
        }
      }
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal")) {
          m.put("ram_gb", Math.round(Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0 * 10) / 10.0);
        }
      }
      m.put("kernel", Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim());
    } catch (IOException e) {
      m.put("note", e.toString());
    }
    m.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"));
    m.put("server_jvm_flags", String.join(" ", serverFlags)
        + (System.getenv("BENCH_AGENTLOOP_JAVA_OPTS") == null ? "" : " " + System.getenv("BENCH_AGENTLOOP_JAVA_OPTS")));
    m.put("loadgen_jvm", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
    m.put("open_files_limit", openFiles());
    return m;
  }

  private static String openFiles() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          return line.replaceAll("\\s+", " ").replace("Max open files ", "").trim();
        }
      }
    } catch (IOException e) {
      return "unknown";
    }
    return "unknown";
  }
}
