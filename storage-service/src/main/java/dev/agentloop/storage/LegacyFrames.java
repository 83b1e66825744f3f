package dev.agentloop.storage;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads conversation files of format 1, {@code [length:int][crc32c:int][utf-8 JSON]} with no magic
 * and no trailer, so that the start-up can rewrite them in format 2. A damaged region is stepped
 * over by looking for the next offset where a whole frame checks out; only offsets whose payload
 * starts like one of our records ({@code {"type":"}) are tried, which keeps the search linear.
 */
final class LegacyFrames {

  private static final byte[] RECORD_START = "{\"type\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final int HEADER = 8;

  /** The records found, and how many damaged regions and torn bytes were left behind. */
  record Contents(List<JsonObject> records, int damagedRegions, long tornBytes) {
  }

  private LegacyFrames() {
  }

  /** Whether {@code file} is in format 1: not empty and not starting with format 2's magic. */
  static boolean isLegacy(Path file) throws IOException {
    if (Files.size(file) == 0) {
      return false;
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(Frames.MAGIC.length);
      return !Frames.isMagic(head, 0);
    }
  }

  static Contents read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    List<JsonObject> records = new ArrayList<>();
    int damaged = 0;
    int position = 0;
    int validEnd = 0;
    while (position + HEADER <= bytes.length) {
      JsonObject record = decodeAt(bytes, position);
      if (record == null) {
        int next = nextFrame(bytes, position + 1);
        if (next < 0) {
          break;
        }
        damaged++;
        position = next;
        record = decodeAt(bytes, position);
      }
      records.add(record);
      position += HEADER + ByteBuffer.wrap(bytes, position, 4).getInt();
      validEnd = position;
    }
    return new Contents(records, damaged, bytes.length - validEnd);
  }

  private static int nextFrame(byte[] bytes, int from) {
    for (int at = from; at + HEADER + RECORD_START.length <= bytes.length; at++) {
      if (startsRecord(bytes, at + HEADER) && decodeAt(bytes, at) != null) {
        return at;
      }
    }
    return -1;
  }

  private static boolean startsRecord(byte[] bytes, int at) {
    for (int i = 0; i < RECORD_START.length; i++) {
      if (bytes[at + i] != RECORD_START[i]) {
        return false;
      }
    }
    return true;
  }

  private static JsonObject decodeAt(byte[] bytes, int position) {
    ByteBuffer buf = ByteBuffer.wrap(bytes, position, bytes.length - position);
    int length = buf.getInt();
    int expected = buf.getInt();
    if (length < 0 || length > Frames.MAX_PAYLOAD || length > buf.remaining()) {
      return null;
    }
    byte[] payload = new byte[length];
    buf.get(payload);
    return Frames.crc(payload, 0, length) == expected ? Frames.json(payload, length) : null;
  }
}
