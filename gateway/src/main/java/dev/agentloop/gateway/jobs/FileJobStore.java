package dev.agentloop.gateway.jobs;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON file per job under {@code <data_dir>/jobs/}. A save writes a temporary file, forces it
 * to disk, renames it over the old one atomically and forces the directory, so a crash leaves
 * either the old or the new job, never half of one. All file work runs on a named worker pool.
 */
public final class FileJobStore implements JobStore {

  private static final Logger LOG = LoggerFactory.getLogger(FileJobStore.class);
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");

  private final WorkerExecutor io;
  private final Path dir;

  public FileJobStore(WorkerExecutor io, Path dir) {
    this.io = io;
    this.dir = dir;
  }

  @Override
  public Future<Void> save(JsonObject job) {
    String id = job.getString("id");
    if (id == null || !SAFE_ID.matcher(id).matches()) {
      return Future.failedFuture(new IllegalArgumentException("not a job id: " + id));
    }
    byte[] bytes = job.encode().getBytes(StandardCharsets.UTF_8);
    return io.executeBlocking(() -> {
      Files.createDirectories(dir);
      Path tmp = dir.resolve(id + ".json.tmp");
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.move(tmp, dir.resolve(id + ".json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      forceDirectory();
      return null;
    });
  }

  @Override
  public Future<List<JsonObject>> loadAll() {
    return io.executeBlocking(() -> {
      List<JsonObject> jobs = new ArrayList<>();
      if (!Files.isDirectory(dir)) {
        return jobs;
      }
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
        for (Path file : files) {
          try {
            jobs.add(new JsonObject(Files.readString(file, StandardCharsets.UTF_8)));
          } catch (DecodeException | IOException e) {
            LOG.warn("Skipping unreadable job file {}: {}", file, e.getMessage());
          }
        }
      }
      return jobs;
    });
  }

  private void forceDirectory() {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // some file systems cannot open a directory for reading; the rename is still atomic
      LOG.debug("Could not force directory {}: {}", dir, e.getMessage());
    }
  }
}
