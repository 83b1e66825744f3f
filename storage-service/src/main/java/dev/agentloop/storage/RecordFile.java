package dev.agentloop.storage;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * An append-only file of framed JSON records: {@code [length:int][crc32c:int][utf-8 JSON]}. A
 * record is whole or it is not there: reading stops at the first frame whose length runs past the
 * end of the file or whose checksum does not match (a write torn by a crash), and reports where the
 * good part ends so the tail can be cut off. Blocking: call from a worker thread only.
 */
final class RecordFile {

  static final int HEADER = 8;
  static final int MAX_RECORD = 64 << 20;

  /** The good records and the offset where they end; {@code torn} when bytes after that were dropped. */
  record Contents(List<JsonObject> records, long validLength, boolean torn) {
  }

  private RecordFile() {
  }

  static ByteBuffer frame(JsonObject record) {
    byte[] payload = record.encode().getBytes(StandardCharsets.UTF_8);
    CRC32C crc = new CRC32C();
    crc.update(payload);
    ByteBuffer buf = ByteBuffer.allocate(HEADER + payload.length);
    buf.putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
    return buf;
  }

  static Contents read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    List<JsonObject> records = new ArrayList<>();
    long valid = 0;
    while (buf.remaining() >= HEADER) {
      int length = buf.getInt();
      int expected = buf.getInt();
      if (length < 0 || length > MAX_RECORD || length > buf.remaining()) {
        break;
      }
      byte[] payload = new byte[length];
      buf.get(payload);
      CRC32C crc = new CRC32C();
      crc.update(payload);
      if ((int) crc.getValue() != expected) {
        break;
      }
      try {
        records.add(new JsonObject(new String(payload, StandardCharsets.UTF_8)));
      } catch (DecodeException | ClassCastException e) {
        break;
      }
      valid = buf.position();
    }
    return new Contents(records, valid, valid < bytes.length);
  }

  /** Appends one record and forces it to the device before returning. */
  static void append(Path file, JsonObject record) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      writeFully(channel, frame(record));
      channel.force(true);
    }
  }

  /** Writes a whole new file: temp file, fsync, atomic rename, fsync of the directory. */
  static void create(Path file, JsonObject firstRecord) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      writeFully(channel, frame(firstRecord));
      channel.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    syncDirectory(file.getParent());
  }

  /** Cuts a torn tail off, durably. */
  static void truncate(Path file, long length) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.truncate(length);
      channel.force(true);
    }
  }

  static void delete(Path file) throws IOException {
    Files.deleteIfExists(file);
    syncDirectory(file.getParent());
  }

  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  private static void writeFully(FileChannel channel, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      channel.write(buf);
    }
  }
}
