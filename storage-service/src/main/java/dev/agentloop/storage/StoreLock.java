package dev.agentloop.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exclusive lock of one local conversation store: an OS file lock on {@code .lock} in the
 * store's folder, held for as long as the store is open (the OS drops it when the process dies).
 * Only the conversation store is locked; other services sharing the data directory (exports, jobs)
 * are not concerned. The file names its holder, for the message the next one gets.
 *
 * <p>OS record locks belong to the process, and closing any descriptor of the file drops them all,
 * so within one JVM a second store on the same folder is refused from a registry without ever
 * opening the file.
 */
final class StoreLock implements AutoCloseable {

  static final String FILE = ".lock";

  /** Another process (or another store in this process) holds the store. */
  static final class Held extends IOException {
    Held(String message) {
      super(message);
    }
  }

  private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();

  private final Path dir;
  private final FileChannel channel;
  private final FileLock lock;

  private StoreLock(Path dir, FileChannel channel, FileLock lock) {
    this.dir = dir;
    this.channel = channel;
    this.lock = lock;
  }

  static StoreLock acquire(Path folder) throws IOException {
    Path dir = folder.toRealPath();
    if (!HELD_HERE.add(dir)) {
      throw held(dir, "pid " + ProcessHandle.current().pid() + ", this process");
    }
    try {
      Path file = dir.resolve(FILE);
      FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
      if (lock == null) {
        channel.close();
        throw held(dir, Files.readString(file, StandardCharsets.UTF_8).trim());
      }
      String me = "pid " + ProcessHandle.current().pid() + ", since " + Instant.now();
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      channel.force(true);
      return new StoreLock(dir, channel, lock);
    } catch (IOException | RuntimeException e) {
      HELD_HERE.remove(dir);
      throw e;
    }
  }

  private static Held held(Path dir, String holder) {
    return new Held("the local conversation store " + dir + " is in use by another agentloop storage-service"
        + (holder.isEmpty() ? "" : " (" + holder + ")") + "; one storage-service per data directory (use the "
        + "postgres backend for several)");
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      try {
        channel.close();
      } finally {
        HELD_HERE.remove(dir);
      }
    }
  }
}
