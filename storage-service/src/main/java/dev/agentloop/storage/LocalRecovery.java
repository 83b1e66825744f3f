package dev.agentloop.storage;

import dev.agentloop.contract.storage.ConversationIds;
import dev.agentloop.storage.Frames.Frame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the local store does with its files at start: removes temp files of creates that were never
 * acknowledged, rewrites format-1 files in format 2, cuts torn tails (a frame a crash left half
 * written, with no valid frame after it), steps over damaged regions in the middle (logged and
 * counted, never cut), and reads each conversation's header and message count for the index, and
 * the idempotency keys its records hold ({@link LocalKeys}).
 */
final class LocalRecovery {

  private static final Logger LOG = LoggerFactory.getLogger(LocalRecovery.class);
  static final String SUFFIX = ".log";

  /** A conversation found on disk: its header record, where that record ends, its readable messages. */
  record Found(JsonObject header, long headerEnd, int messageCount) {
  }

  private final Path dir;
  private final RecordFile files;
  private final LocalKeys keys;
  private final long now = System.currentTimeMillis();
  private int torn;
  private int damaged;
  private int rewritten;

  LocalRecovery(Path dir, RecordFile files, LocalKeys keys) {
    this.dir = dir;
    this.files = files;
    this.keys = keys;
  }

  List<Found> run() throws IOException {
    List<Path> logs = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path file : entries) {
        String name = file.getFileName().toString();
        if (name.endsWith(SUFFIX + ".tmp")) {
          Files.deleteIfExists(file); // a create (or a rewrite) that never completed
        } else if (name.endsWith(SUFFIX) && ConversationIds.valid(name.substring(0, name.length() - SUFFIX.length()))) {
          logs.add(file);
        }
      }
    }
    List<Found> found = new ArrayList<>();
    for (Path file : logs) {
      try {
        Found conversation = open(file);
        if (conversation != null) {
          found.add(conversation);
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("storage: cannot read {} ({}); ignoring it", file, e.toString());
      }
    }
    LOG.info("storage: local store at {}: {} conversations{}{}{}", dir, found.size(),
        rewritten == 0 ? "" : ", " + rewritten + " rewritten from frame format 1",
        torn == 0 ? "" : ", " + torn + " torn tails cut",
        damaged == 0 ? "" : ", " + damaged + " damaged regions skipped");
    return found;
  }

  private Found open(Path file) throws IOException {
    if (LegacyFrames.isLegacy(file) && !rewrite(file)) {
      return null;
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      Frame header = Frames.decodeAt(channel, 0, channel.size());
      if (header == null || !"conversation".equals(header.record().getString("type"))) {
        LOG.warn("storage: {} has no readable header record; ignoring it", file);
        return null;
      }
      String id = header.record().getString("id");
      keys.restore(header.record(), new LocalKeys.Place(file, 0, id), now);
      int[] messages = {0};
      RecordScanner.Summary summary = RecordScanner.forward(channel, header.end(), frame -> {
        messages[0] += frame.record().getJsonArray("messages", new JsonArray()).size();
        keys.restore(frame.record(), new LocalKeys.Place(file, frame.offset(), id), now);
        return true;
      });
      if (summary.damagedRegions() > 0) {
        damaged += summary.damagedRegions();
        LOG.warn("storage: {} has {} damaged region(s) ({} bytes) between valid records; skipping them, every "
            + "valid record after them is kept", file, summary.damagedRegions(), summary.damagedBytes());
      }
      if (summary.tornTail()) {
        torn++;
        LOG.warn("storage: {} ends with a torn record (a write cut short); cutting it at byte {} of {}", file,
            summary.validEnd(), channel.size());
        RecordFile.truncate(file, summary.validEnd());
      }
      return new Found(header.record(), header.end(), messages[0]);
    }
  }

  /** Rewrites a format-1 file in format 2 (temp, fsync, rename); false when it holds no conversation. */
  private boolean rewrite(Path file) throws IOException {
    LegacyFrames.Contents legacy = LegacyFrames.read(file);
    List<JsonObject> records = legacy.records();
    if (records.isEmpty() || !"conversation".equals(records.get(0).getString("type"))) {
      LOG.warn("storage: {} has no readable header record; ignoring it", file);
      return false;
    }
    if (legacy.damagedRegions() > 0 || legacy.tornBytes() > 0) {
      LOG.warn("storage: {} (frame format 1): {} damaged region(s) skipped, {} torn bytes dropped", file,
          legacy.damagedRegions(), legacy.tornBytes());
    }
    files.rewrite(file, records);
    rewritten++;
    return true;
  }
}
