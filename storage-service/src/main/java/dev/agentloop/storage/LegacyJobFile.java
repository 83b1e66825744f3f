package dev.agentloop.storage;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job kept whole by earlier versions in {@code jobs/<id>.json}: imported once at start into a job
 * file (header, then one result record per finished item), after which the old file is removed. A
 * job that was unfinished in it reads back as interrupted. Blocking: worker threads only.
 */
final class LegacyJobFile {

  private static final Logger LOG = LoggerFactory.getLogger(LegacyJobFile.class);
  static final String SUFFIX = ".json";

  /** What the index needs of an imported job. */
  record Imported(JsonObject header, JobState state) {
  }

  private LegacyJobFile() {
  }

  /** Imports {@code file} as the file {@code target} names for its id; null (logged) when it cannot be read. */
  static Imported importInto(Path file, RecordFile files, Function<String, Path> target) {
    try {
      JsonObject old = new JsonObject(Files.readString(file));
      JsonArray requests = old.getJsonArray("requests", new JsonArray());
      JsonArray results = old.getJsonArray("results", new JsonArray());
      int succeeded = count(results, "ok");
      int failed = count(results, "error");
      String status = old.getString("status", JobState.INTERRUPTED);
      boolean finished = old.getValue("finished_at") != null && !"queued".equals(status) && !"running".equals(status);
      JobState state = new JobState(1, finished ? status : JobState.INTERRUPTED, old.getLong("started_at"),
          finished ? old.getLong("finished_at") : System.currentTimeMillis() / 1000, requests.size(), succeeded, failed,
          requests.size() - succeeded - failed, 0);
      String id = old.getString("id");
      JsonObject header = new JsonObject().put("id", id).put("node", "legacy").put("incarnation", "legacy")
          .put("created_at", old.getLong("created_at", 0L)).put("concurrency", old.getInteger("concurrency", 1))
          .put("requests", requests);
      List<JsonObject> records = new ArrayList<>();
      records.add(header.copy().put("type", "job").put("state", state.toJson()));
      for (Object r : results) {
        JsonObject result = (JsonObject) r;
        if ("ok".equals(result.getString("status")) || "error".equals(result.getString("status"))) {
          records.add(new JsonObject().put("type", "result").put("result", result).put("state", state.toJson()));
        }
      }
      files.rewrite(target.apply(id), records);
      RecordFile.delete(file);
      LOG.info("storage: imported job {} from the earlier format", id);
      return new Imported(header, state);
    } catch (IOException | RuntimeException e) {
      LOG.warn("storage: cannot import {} ({}); leaving it", file, e.toString());
      return null;
    }
  }

  private static int count(JsonArray results, String status) {
    return (int) results.stream().filter(r -> r instanceof JsonObject o && status.equals(o.getString("status"))).count();
  }
}
