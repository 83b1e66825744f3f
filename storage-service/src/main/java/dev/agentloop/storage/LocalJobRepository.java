package dev.agentloop.storage;

import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.storage.JobIds;
import dev.agentloop.contract.storage.Owners;
import dev.agentloop.contract.storage.JsonSize;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jobs in the embedded store: one append-only file of {@link Frames frames} per job under
 * {@code <data_dir>/jobs/<id>.log}, written through {@link RecordFile} and read with
 * {@link RecordScanner}, as conversations are. The first record is the header (with the requests),
 * written whole; each later record is a new state, or one item's result with the state after it, so
 * a finished item costs one appended record, never a rewrite of the job.
 *
 * <p>All file work and the index (each job's header and latest state, no results) live on one
 * single-threaded named worker pool, as for conversations. A page of results reads the job's file
 * on that worker and keeps only the page.
 */
final class LocalJobRepository implements JobRepository {

  private static final Logger LOG = LoggerFactory.getLogger(LocalJobRepository.class);
  private static final String SUFFIX = ".log";
  private static final String LEGACY_SUFFIX = LegacyJobFile.SUFFIX;

  private final Vertx vertx;
  private final Path dir;
  private final RecordFile files;
  private final LocalKeys keys;
  private StoreWorker worker;
  private final Map<String, Entry> byId = new HashMap<>(); // confined to the worker thread

  private static final class Entry {
    final String id;
    final String owner;
    final String node;
    final String incarnation;
    final long createdAt;
    final int concurrency;
    JobState state;

    Entry(JsonObject header, JobState state) {
      this.id = header.getString("id");
      this.owner = header.getValue("owner") instanceof String o && Owners.valid(o) ? o : Owners.ANONYMOUS;
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

  LocalJobRepository(Vertx vertx, Path dataDir, RecordFile files, LocalKeys keys) {
    this.vertx = vertx;
    this.dir = dataDir.resolve("jobs");
    this.files = files;
    this.keys = keys;
  }

  @Override
  public Future<Void> start() {
    worker = new StoreWorker(vertx, "agentloop-storage-jobs", true, LOG, "storage: local job store failure",
        "The local job store failed: ");
    return blocking(() -> {
      RecordFile.createDirectory(dir);
      rebuildIndex();
      return null;
    });
  }

  private void rebuildIndex() throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path file : entries) {
        String name = file.getFileName().toString();
        if (name.endsWith(SUFFIX + ".tmp")) {
          Files.deleteIfExists(file); // a create that never got acknowledged
        } else if (name.endsWith(LEGACY_SUFFIX) && JobIds.valid(name.substring(0, name.length() - LEGACY_SUFFIX.length()))) {
          LegacyJobFile.Imported job = LegacyJobFile.importInto(file, files, this::file);
          if (job != null) {
            byId.put(job.header().getString("id"), new Entry(job.header(), job.state()));
          }
        } else if (name.endsWith(SUFFIX) && JobIds.valid(name.substring(0, name.length() - SUFFIX.length()))) {
          load(file);
        }
      }
    }
    LOG.info("storage: local job store at {}: {} jobs", dir, byId.size());
  }

  private void load(Path file) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      Frames.Frame header = Frames.decodeAt(channel, 0, channel.size());
      if (header == null || !"job".equals(header.record().getString("type"))) {
        LOG.warn("storage: {} has no readable job header; ignoring it", file);
        return;
      }
      Entry entry = new Entry(header.record(), JobState.from(header.record().getValue("state")));
      keys.restore(header.record(), new LocalKeys.Place(file, 0, entry.id), System.currentTimeMillis());
      RecordScanner.Summary summary = RecordScanner.forward(channel, header.end(), frame -> {
        entry.apply(JobState.from(frame.record().getValue("state")));
        return true;
      });
      if (summary.damagedRegions() > 0) {
        LOG.warn("storage: {} has {} damaged region(s) between valid records; skipping them", file,
            summary.damagedRegions());
      }
      if (summary.tornTail()) {
        LOG.warn("storage: {} ends with a torn record (a write cut short); cutting it at byte {}", file,
            summary.validEnd());
        RecordFile.truncate(file, summary.validEnd());
      }
      byId.put(entry.id, entry);
    } catch (IOException | RuntimeException e) {
      LOG.warn("storage: cannot read {} ({}); ignoring it", file, e.toString());
    }
  }

  @Override
  public Future<JsonObject> create(JsonObject header, JobState state, KeyedWrite keyed) {
    return blocking(() -> {
      String id = header.getString("id");
      if (byId.containsKey(id)) {
        throw ApiException.badRequest("A job with id `" + id + "` exists already.", "id", "invalid_value");
      }
      long now = System.currentTimeMillis();
      LocalKeys.Entry done = keyed == null ? null : keys.claim(keyed, now);
      if (done != null) {
        return KeyedWrite.recorded(done.status, LocalKeys.body(done), true);
      }
      JsonObject record = header.copy().put("type", "job").put("state", state.toJson());
      if (keyed != null) {
        record.put("idempotency", keyed.record(now));
      }
      try {
        files.create(file(id), record);
      } catch (IOException | RuntimeException e) {
        if (keyed != null) {
          keys.unclaim(keyed);
        }
        throw e;
      }
      byId.put(id, new Entry(header, state));
      if (keyed == null) {
        return new JsonObject().put("id", id);
      }
      keys.written(keyed, new LocalKeys.Place(file(id), 0, id), now);
      return KeyedWrite.recorded(keyed.status(), keyed.body(), false);
    });
  }

  @Override
  public Future<Void> update(String id, JobState state) {
    return blocking(() -> {
      Entry entry = require(id);
      if (state.version() > entry.state.version()) {
        files.append(file(id), new JsonObject().put("type", "state").put("state", state.toJson()));
        entry.apply(state);
      }
      return null;
    });
  }

  @Override
  public Future<Void> record(String id, JsonObject result, JobState state) {
    return blocking(() -> {
      Entry entry = require(id);
      files.append(file(id), new JsonObject().put("type", "result").put("result", result)
          .put("state", state.toJson()));
      entry.apply(state);
      return null;
    });
  }

  @Override
  public Future<JsonObject> get(String owner, String id) {
    return blocking(() -> {
      Entry entry = require(owner, id);
      return JobPages.view(entry.id, entry.createdAt, entry.concurrency, entry.state);
    });
  }

  @Override
  public Future<JsonObject> results(String owner, String id, int after, int limit, long maxBytes) {
    return blocking(() -> {
      Entry entry = require(owner, id);
      long end = (long) after + limit;
      Map<Integer, JsonObject> inRange = new HashMap<>();
      Map<Integer, Long> sizes = new HashMap<>();
      try (FileChannel channel = FileChannel.open(file(id), StandardOpenOption.READ)) {
        RecordScanner.forward(channel, 0, frame -> {
          JsonObject record = frame.record();
          if ("result".equals(record.getString("type")) && record.getValue("result") instanceof JsonObject result
              && result.getValue("index") instanceof Integer index && index > after && index <= end) {
            inRange.put(index, result);
            sizes.put(index, JsonSize.estimate(result));
          }
          return true;
        });
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
          files.append(file(entry.id), new JsonObject().put("type", "state").put("state", interrupted.toJson()));
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
        keys.forget(entry.id);
      }
      return expired.size();
    });
  }

  @Override
  public Future<Void> close() {
    return worker == null ? Future.succeededFuture() : worker.close();
  }

  private Entry require(String id) {
    return require(Owners.ALL, id);
  }

  /** The job, if {@code owner} may see it; another owner's answers as an unknown one. */
  private Entry require(String owner, String id) {
    Entry entry = byId.get(JobIds.require(id));
    if (entry == null || !Owners.sees(owner, entry.owner)) {
      throw JobIds.notFound(id);
    }
    return entry;
  }

  private Path file(String id) {
    return dir.resolve(JobIds.require(id) + SUFFIX);
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return worker.run(() -> {
      try {
        return work.call();
      } catch (Frames.TooLarge tooLarge) {
        throw ApiException.tooLarge("The job is too large to store: a record of " + tooLarge.size + " bytes, at most "
            + tooLarge.max + ".");
      }
    });
  }
}
