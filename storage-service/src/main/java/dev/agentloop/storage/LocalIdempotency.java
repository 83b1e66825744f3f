package dev.agentloop.storage;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idempotency keys of the embedded store ({@link LocalKeys}), on a worker thread of their own, so
 * a key answers (409 while its write waits) even while the conversations' worker is busy or stuck.
 * Responses that have no other write (agent runs) are appended to {@code idempotency/results.log},
 * one frame each with its key; the log is read back at start and rewritten without the expired ones
 * whenever they outnumber the live ones (at start, and at a sweep once there are 1024 or more), so
 * it stays about the size of the live keys.
 */
final class LocalIdempotency implements IdempotencyStore {

  private static final Logger LOG = LoggerFactory.getLogger(LocalIdempotency.class);
  static final int COMPACT_AFTER = 1024;

  private final Vertx vertx;
  private final Path dir;
  private final RecordFile files;
  private final LocalKeys keys;
  private StoreWorker worker;
  private Path log;
  private long frames; // results in the log, live or not; confined to the worker

  LocalIdempotency(Vertx vertx, Path dataDir, RecordFile files, LocalKeys keys) {
    this.vertx = vertx;
    this.dir = dataDir.resolve("idempotency");
    this.files = files;
    this.keys = keys;
  }

  @Override
  public Future<Void> start() {
    // not ordered: the ordered queue is the calling context's, shared with the conversations' and jobs'
    // workers, and a key must be answered while a write it waits for is stuck there; one thread keeps the order
    worker = new StoreWorker(vertx, "agentloop-storage-keys", false, LOG, "storage: local idempotency keys failure",
        "The local store failed: ");
    return blocking(() -> {
      RecordFile.createDirectory(dir);
      log = dir.resolve("results.log");
      Files.deleteIfExists(dir.resolve("results.log.tmp"));
      if (!Files.exists(log)) {
        files.create(log, header());
      }
      long now = System.currentTimeMillis();
      try (FileChannel channel = FileChannel.open(log, StandardOpenOption.READ)) {
        Frames.Frame first = Frames.decodeAt(channel, 0, channel.size());
        RecordScanner.Summary summary = RecordScanner.forward(channel, first == null ? 0 : first.end(), frame -> {
          frames++;
          keys.restore(frame.record(), new LocalKeys.Place(log, frame.offset(), null), now);
          return true;
        });
        if (summary.tornTail()) {
          RecordFile.truncate(log, summary.validEnd());
        }
      }
      compact(1);
      return null;
    }).mapEmpty();
  }

  @Override
  public Future<JsonObject> begin(String owner, String key, String hash, long lockMs) {
    return blocking(() -> {
      long now = System.currentTimeMillis();
      LocalKeys.Entry done = keys.begin(owner, key, hash, lockMs, now);
      JsonObject body = done == null ? null : LocalKeys.body(done);
      if (done != null && body == null) { // its conversation was deleted meanwhile: the key is free
        keys.drop(done);
        done = keys.begin(owner, key, hash, lockMs, now);
      }
      return done == null ? new JsonObject().put("state", "reserved")
          : new JsonObject().put("state", "completed").put("status", done.status).put("body", body);
    });
  }

  @Override
  public Future<Boolean> release(String owner, String key, String hash) {
    return blocking(() -> keys.release(owner, key, hash));
  }

  @Override
  public Future<JsonObject> complete(KeyedWrite write) {
    return blocking(() -> {
      long now = System.currentTimeMillis();
      LocalKeys.Entry done = keys.claim(write, now);
      if (done != null) {
        return KeyedWrite.recorded(done.status, LocalKeys.body(done), true);
      }
      try {
        long offset = files.append(log, new JsonObject().put("type", "result").put("idempotency", write.record(now)));
        keys.written(write, new LocalKeys.Place(log, offset, null), now);
        frames++;
      } catch (IOException | RuntimeException e) {
        keys.unclaim(write);
        throw e;
      }
      return KeyedWrite.recorded(write.status(), write.body(), false);
    });
  }

  @Override
  public Future<Integer> sweep() {
    return blocking(() -> {
      int forgotten = keys.sweep(System.currentTimeMillis());
      compact(COMPACT_AFTER);
      return forgotten;
    });
  }

  /** Rewrites the log with its live results only, once at least {@code atLeast} dead ones outnumber them. */
  private void compact(long atLeast) throws IOException {
    List<LocalKeys.Entry> live = keys.inResultsLog();
    long dead = frames - live.size();
    if (dead < atLeast || dead <= live.size()) {
      return;
    }
    List<JsonObject> records = new ArrayList<>();
    records.add(header());
    List<LocalKeys.Entry> kept = new ArrayList<>();
    try (FileChannel channel = FileChannel.open(log, StandardOpenOption.READ)) {
      for (LocalKeys.Entry entry : live) {
        Frames.Frame frame = Frames.decodeAt(channel, entry.place.offset(), channel.size());
        if (frame != null) {
          records.add(frame.record());
          kept.add(entry);
        }
      }
    }
    files.rewrite(log, records);
    try (FileChannel channel = FileChannel.open(log, StandardOpenOption.READ)) {
      Frames.Frame first = Frames.decodeAt(channel, 0, channel.size());
      int[] next = {0};
      RecordScanner.forward(channel, first.end(), frame -> {
        keys.move(kept.get(next[0]++), new LocalKeys.Place(log, frame.offset(), null));
        return next[0] < kept.size();
      });
    }
    frames = kept.size();
  }

  private static JsonObject header() {
    return new JsonObject().put("type", "idempotency_results");
  }

  @Override
  public Future<Void> close() {
    return worker == null ? Future.succeededFuture() : worker.close();
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return worker.run(work);
  }
}
