package dev.agentloop.storage;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Writes conversation files, one {@link Frames frame} per record, each write forced to the device
 * before it returns. An append that fails (a short write, a full disk, an I/O error, a failed fsync)
 * leaves the file exactly as it was: it is cut back to its length before the write and forced
 * again; when even that fails the caller gets {@link Unrepaired}. A record larger than
 * {@code maxPayload} is refused before any byte is written. Blocking: worker threads only.
 */
final class RecordFile {

  /** The calls that change a file; tests substitute ones that fail. */
  interface Io {
    Io REAL = new Io() {
    };

    default int write(FileChannel channel, ByteBuffer source, long position) throws IOException {
      return channel.write(source, position);
    }

    default void force(FileChannel channel) throws IOException {
      channel.force(true);
    }

    default void truncate(FileChannel channel, long size) throws IOException {
      channel.truncate(size);
    }
  }

  /** An append failed and the file could not be put back: it may end with part of a frame. */
  static final class Unrepaired extends IOException {
    Unrepaired(Path file, IOException failure, Exception undo) {
      super("an append to " + file.getFileName() + " failed (" + failure.getMessage()
          + ") and cutting it back failed too (" + undo.getMessage() + ")", failure);
      addSuppressed(undo);
    }
  }

  private final Io io;
  private final int maxPayload;

  RecordFile(Io io, int maxPayload) {
    if (maxPayload < 1 || maxPayload > Frames.MAX_PAYLOAD) {
      throw new IllegalArgumentException("maxPayload must be between 1 and " + Frames.MAX_PAYLOAD);
    }
    this.io = io;
    this.maxPayload = maxPayload;
  }

  int maxPayload() {
    return maxPayload;
  }

  /** Appends one record and forces it to the device; answers where it starts. On failure the file is as it was before. */
  long append(Path file, JsonObject record) throws IOException {
    ByteBuffer frame = Frames.encode(record, maxPayload);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      long before = channel.size();
      try {
        long position = before;
        while (frame.hasRemaining()) {
          position += io.write(channel, frame, position);
        }
        io.force(channel);
      } catch (IOException | RuntimeException failure) {
        undo(file, channel, before, failure instanceof IOException e ? e : new IOException(failure));
        throw failure;
      }
      return before;
    }
  }

  private void undo(Path file, FileChannel channel, long before, IOException failure) throws Unrepaired {
    try {
      io.truncate(channel, before);
      io.force(channel);
    } catch (IOException | RuntimeException undo) {
      throw new Unrepaired(file, failure, undo);
    }
  }

  /** Writes a new conversation file whole (temp file, fsync, atomic rename, fsync of the directory); returns its length. */
  long create(Path file, JsonObject header) throws IOException {
    return write(file, List.of(header), maxPayload);
  }

  /** Replaces a file by one holding {@code records} in the current format (read with the format's own limit). */
  void rewrite(Path file, List<JsonObject> records) throws IOException {
    write(file, records, Frames.MAX_PAYLOAD);
  }

  private long write(Path file, List<JsonObject> records, int limit) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    long position = 0;
    try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      for (JsonObject record : records) {
        ByteBuffer frame = Frames.encode(record, limit);
        while (frame.hasRemaining()) {
          position += io.write(channel, frame, position);
        }
      }
      io.force(channel);
    } catch (IOException | RuntimeException failure) {
      Files.deleteIfExists(tmp);
      throw failure;
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(file.getParent());
    return position;
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

  /** Creates a store's directory if it is missing, the new directory's own entry durable too. */
  static void createDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      syncDirectory(dir.getParent());
    }
  }

  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
