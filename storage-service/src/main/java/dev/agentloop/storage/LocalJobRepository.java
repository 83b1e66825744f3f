package dev.agentloop.storage;

import dev.agentloop.common.ApiException;
import dev.agentloop.common.storage.JobIds;
import dev.agentloop.common.storage.JsonSize;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jobs in the embedded store: one append-only {@link RecordFile} per job under
 * {@code <data_dir>/jobs/<id>.log}. The first record is the header (with the requests), written
 * whole; each later record is a new state, or one item's result with the state after it, so a
 * finished item costs one appended record, never a rewrite of the job.
 *
 * <p>All file work and the index (each job's header and latest state, no results) live on one
 * single-threaded named worker pool, as for conversations. A page of results reads the job's file
 * on that worker and keeps only the page.
 */
final class LocalJobRepository implements JobRepository {

  private static final Logger LOG = LoggerFactory.getLogger(LocalJobRepository.class);
  private static final String SUFFIX = ".log";
  /** Earlier versions kept each job whole in {@code jobs/<id>.json}; such a file is imported once at start. */
  private static final String LEGACY_SUFFIX = ".json";

  private final Vertx vertx;
  private final Path dir;
  private WorkerExecutor worker;
  private final Map<String, Entry> byId = new HashMap<>(); // confined to the worker thread

  private static final class Entry {
    final String id;
    final String node;
    final String incarnation;
    final long createdAt;
    final int concurrency;
    JobState state;

    Entry(JsonObject header, JobState state) {
      this.id = header.getString("id");
      this.node = header.getString("node");
      this.incarnation = header.getString("incarnation");
      this.createdAt = header.getLong("created_at");
      this.concurrency = header.getInteger("concurrency");
      this.state = state;
    }

    void apply(JobState newer) {
      if (newer.version() > state.version()) {
        state = newer;
      }
    }
  }

  LocalJobRepository(Vertx vertx, Path dataDir) {
    this.vertx = vertx;
    this.dir = dataDir.resolve("jobs");
  }

  @Override
  public Future<Void> start() {
    worker = vertx.createSharedWorkerExecutor("agentloop-storage-jobs", 1);
    return blocking(() -> {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        RecordFile.syncDirectory(dir.getParent());
      }
      rebuildIndex();
      return null;
    });
  }

  private void rebuildIndex() throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (name.endsWith(SUFFIX + ".tmp")) {
          Files.deleteIfExists(file); // a create that never got acknowledged
        } else if (name.endsWith(LEGACY_SUFFIX) && JobIds.valid(name.substring(0, name.length() - LEGACY_SUFFIX.length()))) {
          importLegacy(file);
        } else if (name.endsWith(SUFFIX) && JobIds.valid(name.substring(0, name.length() - SUFFIX.length()))) {
          load(file);
        }
      }
    }
    LOG.info("storage: local job store at {}: {} jobs", dir, byId.size());
  }

  private void load(Path file) {
    try {
      RecordFile.Contents contents = RecordFile.read(file);
      if (contents.records().isEmpty() || !"job".equals(contents.records().get(0).getString("type"))) {
        LOG.warn("storage: {} has no readable job header; ignoring it", file);
        return;
      }
      if (contents.torn()) {
        LOG.warn("storage: {} ends with a torn record (crash during a write); cutting it at byte {}", file,
            contents.validLength());
        RecordFile.truncate(file, contents.validLength());
      }
      JsonObject header = contents.records().get(0);
      Entry entry = new Entry(header, JobState.from(header.getValue("state")));
      for (JsonObject record : contents.records().subList(1, contents.records().size())) {
        entry.apply(JobState.from(record.getValue("state")));
      }
      byId.put(entry.id, entry);
    } catch (IOException | RuntimeException e) {
      LOG.warn("storage: cannot read {} ({}); ignoring it", file, e.toString());
    }
  }

  /** A job of the earlier one-file format becomes a record file; one that was unfinished is interrupted. */
  private void importLegacy(Path file) {
    try {
      JsonObject old = new JsonObject(Files.readString(file));
      JsonArray requests = old.getJsonArray("requests", new JsonArray());
      JsonArray results = old.getJsonArray("results", new JsonArray());
      int succeeded = (int) results.stream().filter(r -> "ok".equals(((JsonObject) r).getString("status"))).count();
      int failed = (int) results.stream().filter(r -> "error".equals(((JsonObject) r).getString("status"))).count();
      String status = old.getString("status", JobState.INTERRUPTED);
      boolean finished = old.getValue("finished_at") != null && !"queued".equals(status) && !"running".equals(status);
      JobState state = new JobState(1, finished ? status : JobState.INTERRUPTED, old.getLong("started_at"),
          finished ? old.getLong("finished_at") : System.currentTimeMillis() / 1000, requests.size(), succeeded, failed,
          requests.size() - succeeded - failed, 0);
      String id = old.getString("id");
      JsonObject header = new JsonObject().put("id", id).put("node", "legacy").put("incarnation", "legacy")
          .put("created_at", old.getLong("created_at", 0L)).put("concurrency", old.getInteger("concurrency", 1))
          .put("requests", requests);
      RecordFile.create(file(id), header.copy().put("type", "job").put("state", state.toJson()));
      for (Object r : results) {
        JsonObject result = (JsonObject) r;
        if ("ok".equals(result.getString("status")) || "error".equals(result.getString("status"))) {
          RecordFile.append(file(id), new JsonObject().put("type", "result").put("result", result)
              .put("state", state.toJson()));
        }
      }
      RecordFile.delete(file);
      byId.put(id, new Entry(header, state));
      LOG.info("storage: imported job {} from the earlier format", id);
    } catch (IOException | RuntimeException e) {
      LOG.warn("storage: cannot import {} ({}); leaving it", file, e.toString());
    }
  }

  @Override
  public Future<Void> create(JsonObject header, JobState state) {
    return blocking(() -> {
      String id = header.getString("id");
      if (byId.containsKey(id)) {
        throw ApiException.badRequest("A job with id `" + id + "` exists already.", "id", "invalid_value");
      }
      RecordFile.create(file(id), header.copy().put("type", "job").put("state", state.toJson()));
      byId.put(id, new Entry(header, state));
      return null;
    });
  }

  @Override
  public Future<Void> update(String id, JobState state) {
    return blocking(() -> {
      Entry entry = require(id);
      if (state.version() > entry.state.version()) {
        RecordFile.append(file(id), new JsonObject().put("type", "state").put("state", state.toJson()));
        entry.apply(state);
      }
      return null;
    });
  }

  @Override
  public Future<Void> record(String id, JsonObject result, JobState state) {
    return blocking(() -> {
      Entry entry = require(id);
      RecordFile.append(file(id), new JsonObject().put("type", "result").put("result", result)
          .put("state", state.toJson()));
      entry.apply(state);
      return null;
    });
  }

  @Override
  public Future<JsonObject> get(String id) {
    return blocking(() -> {
      Entry entry = require(id);
      return JobPages.view(entry.id, entry.createdAt, entry.concurrency, entry.state);
    });
  }

  @Override
  public Future<JsonObject> results(String id, int after, int limit, long maxBytes) {
    return blocking(() -> {
      Entry entry = require(id);
      long end = (long) after + limit;
      Map<Integer, JsonObject> inRange = new HashMap<>();
      Map<Integer, Long> sizes = new HashMap<>();
      for (JsonObject record : RecordFile.read(file(id)).records()) {
        if ("result".equals(record.getString("type")) && record.getValue("result") instanceof JsonObject result
            && result.getValue("index") instanceof Integer index && index > after && index <= end) {
          inRange.put(index, result);
          sizes.put(index, JsonSize.estimate(result));
        }
      }
      return JobPages.page(after, JobPages.last(after, limit, entry.state, sizes, maxBytes), entry.state, inRange);
    });
  }

  @Override
  public Future<Integer> interrupt(String node, String incarnation, long finishedAt) {
    return blocking(() -> {
      int count = 0;
      for (Entry entry : byId.values()) {
        if (!entry.state.finished() && node.equals(entry.node) && !incarnation.equals(entry.incarnation)) {
          JobState interrupted = entry.state.interrupted(finishedAt);
          RecordFile.append(file(entry.id), new JsonObject().put("type", "state").put("state", interrupted.toJson()));
          entry.apply(interrupted);
          count++;
        }
      }
      return count;
    });
  }

  @Override
  public Future<Integer> expire(long finishedBefore, int limit) {
    return blocking(() -> {
      List<Entry> expired = new ArrayList<>();
      for (Entry entry : byId.values()) {
        if (expired.size() >= limit) {
          break;
        }
        if (entry.state.finished() && entry.state.finishedAt() < finishedBefore) {
          expired.add(entry);
        }
      }
      for (Entry entry : expired) {
        RecordFile.delete(file(entry.id));
        byId.remove(entry.id);
      }
      return expired.size();
    });
  }

  @Override
  public Future<Void> close() {
    return worker == null ? Future.succeededFuture() : worker.close();
  }

  private Entry require(String id) {
    Entry entry = byId.get(JobIds.require(id));
    if (entry == null) {
      throw JobIds.notFound(id);
    }
    return entry;
  }

  private Path file(String id) {
    return dir.resolve(JobIds.require(id) + SUFFIX);
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return worker.<T>executeBlocking(work, true).recover(failure -> {
      if (failure instanceof ApiException) {
        return Future.failedFuture(failure);
      }
      LOG.error("storage: local job store failure", failure);
      return Future.failedFuture(ApiException.unavailable("The local job store failed: " + failure.getMessage()));
    });
  }
}
