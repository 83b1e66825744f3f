package dev.agentloop.storage;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The frame of one record in a conversation file (format 2):
 * {@code [magic F5 41 4C 02][length:int][crc32c:int][payload: utf-8 JSON][length:int]}, big-endian.
 *
 * <p>The magic starts with 0xF5, a byte that never occurs in UTF-8, so it can never appear inside a
 * payload: after a damaged region the reader finds the next frame by looking for it. The trailing
 * length lets the file be read backwards from its end. A frame counts only when its magic, both
 * lengths and its checksum agree and its payload is a JSON object. Blocking: worker threads only.
 */
final class Frames {

  static final byte[] MAGIC = {(byte) 0xF5, 'A', 'L', 2};
  static final int HEADER = 12;
  static final int TRAILER = 4;
  static final int OVERHEAD = HEADER + TRAILER;
  /** The largest payload the format reads; a writer may be configured lower, never higher. */
  static final int MAX_PAYLOAD = 64 << 20;

  /** One decoded frame: where it starts and ends in the file, and its record. */
  record Frame(long offset, long end, JsonObject record) {
  }

  /** A record whose encoding is larger than the writer accepts; nothing was written. */
  static final class TooLarge extends IOException {
    final int size;
    final int max;

    TooLarge(int size, int max) {
      super("a record of " + size + " bytes is larger than the " + max + " bytes a record may have");
      this.size = size;
      this.max = max;
    }
  }

  private Frames() {
  }

  static ByteBuffer encode(JsonObject record, int maxPayload) throws TooLarge {
    byte[] payload = record.encode().getBytes(StandardCharsets.UTF_8);
    if (payload.length > maxPayload) {
      throw new TooLarge(payload.length, maxPayload);
    }
    ByteBuffer buf = ByteBuffer.allocate(OVERHEAD + payload.length);
    buf.put(MAGIC).putInt(payload.length).putInt(crc(payload, 0, payload.length)).put(payload).putInt(payload.length);
    return buf.flip();
  }

  static boolean isMagic(byte[] bytes, int at) {
    return at + MAGIC.length <= bytes.length && bytes[at] == MAGIC[0] && bytes[at + 1] == MAGIC[1]
        && bytes[at + 2] == MAGIC[2] && bytes[at + 3] == MAGIC[3];
  }

  /** The frame that starts at {@code offset} and ends by {@code limit}, or null when there is none. */
  static Frame decodeAt(FileChannel channel, long offset, long limit) throws IOException {
    if (offset < 0 || offset + OVERHEAD > limit) {
      return null;
    }
    byte[] header = read(channel, offset, HEADER);
    if (header.length < HEADER || !isMagic(header, 0)) {
      return null;
    }
    ByteBuffer fields = ByteBuffer.wrap(header, MAGIC.length, 8);
    int length = fields.getInt();
    int expected = fields.getInt();
    if (length < 0 || length > MAX_PAYLOAD || offset + OVERHEAD + length > limit) {
      return null;
    }
    byte[] body = read(channel, offset + HEADER, length + TRAILER);
    if (body.length < length + TRAILER || ByteBuffer.wrap(body, length, TRAILER).getInt() != length || crc(body, 0, length) != expected) {
      return null;
    }
    JsonObject record = json(body, length);
    return record == null ? null : new Frame(offset, offset + OVERHEAD + length, record);
  }

  /** The frame that ends exactly at {@code end} (read through its trailer), or null. */
  static Frame decodeEndingAt(FileChannel channel, long end) throws IOException {
    if (end < OVERHEAD) {
      return null;
    }
    byte[] trailer = read(channel, end - TRAILER, TRAILER);
    if (trailer.length < TRAILER) {
      return null;
    }
    int length = ByteBuffer.wrap(trailer).getInt();
    if (length < 0 || length > MAX_PAYLOAD || end - OVERHEAD - length < 0) {
      return null;
    }
    Frame frame = decodeAt(channel, end - OVERHEAD - length, end);
    return frame != null && frame.end() == end ? frame : null;
  }

  /** The payload as a JSON object, or null when it is not one (then the frame does not count). */
  static JsonObject json(byte[] payload, int length) {
    try {
      return Buffer.buffer(length == payload.length ? payload : Arrays.copyOf(payload, length)).toJsonObject();
    } catch (RuntimeException notAnObject) { // DecodeException, ClassCastException: whatever the bytes hold
      return null;
    }
  }

  static int crc(byte[] bytes, int from, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, from, length);
    return (int) crc.getValue();
  }

  /** Exactly {@code length} bytes at {@code position}; fewer only if the file ends first. */
  static byte[] read(FileChannel channel, long position, int length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length);
    while (buf.hasRemaining()) {
      if (channel.read(buf, position + buf.position()) < 0) {
        break;
      }
    }
    return buf.position() == length ? buf.array() : Arrays.copyOf(buf.array(), buf.position());
  }
}
