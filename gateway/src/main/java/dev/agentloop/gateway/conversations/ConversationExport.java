package dev.agentloop.gateway.conversations;

import dev.agentloop.contract.Services;
import dev.agentloop.contract.Addresses;
import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.node.Node;
import dev.agentloop.front.HttpErrors;
import dev.agentloop.gateway.storage.StorageClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.FileSystem;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/conversations/{id}/export}: the conversation is fetched a page at a time, each page
 * rendered on a worker thread and appended to a file under {@code <data_dir>/exports/} (Vert.x's
 * asynchronous file system), which is sent with {@code sendFile} and then removed. Memory and
 * event-loop work stay bounded by one page, whatever the conversation's length. Files a crash left
 * behind are swept when the gateway starts.
 */
final class ConversationExport {

  private static final Logger LOG = LoggerFactory.getLogger(ConversationExport.class);
  static final int PAGE = 200;
  /** Older leftovers are swept; younger ones may belong to a gateway in another process sharing the folder. */
  static final long SWEEP_AGE_MS = 60_000;
  private static final String NAME = "conv_[A-Za-z0-9]{1,64}-[0-9a-f-]{36}\\.(jsonl|md)";

  private final Vertx vertx;
  private final StorageClient storage;
  private final Path dir;

  ConversationExport(Vertx vertx, StorageClient storage, Path dir) {
    this.vertx = vertx;
    this.storage = storage;
    this.dir = dir;
  }

  /** {@code owner}: whose conversations the caller may read (an owner id, or {@code "*"}). */
  void handle(RoutingContext ctx, String owner, String id) {
    ExportFormat format = ExportFormat.of(ctx.request().getParam("format", "jsonl"));
    String file = dir.resolve(id + "-" + UUID.randomUUID() + "." + format.extension).toString();
    FileSystem fs = vertx.fileSystem();
    fs.mkdirs(dir.toString())
        .compose(v -> fs.open(file, new OpenOptions().setWrite(true).setCreateNew(true)))
        .compose(out -> writePages(out, owner, id, format, 0).eventually(out::close))
        .compose(v -> ctx.response()
            .putHeader("content-type", format.contentType)
            .putHeader("content-disposition", "attachment; filename=\"" + id + "." + format.extension + "\"")
            .sendFile(file))
        .onFailure(HttpErrors.failWith(ctx, Services.STORAGE_SERVICE))
        .eventually(() -> fs.exists(file).compose(left -> left ? fs.delete(file) : Future.succeededFuture())
            .onFailure(e -> LOG.warn("export: could not remove {}: {}", file, e.getMessage())));
  }

  private Future<Void> writePages(AsyncFile out, String owner, String id, ExportFormat format, long after) {
    JsonObject request = new JsonObject().put("owner", owner).put("id", id).put("after", after).put("limit", PAGE);
    return storage.request(Addresses.STORAGE_GET, request).compose(page -> vertx
        .executeBlocking(() -> render(format, page, after == 0), false)
        .compose(out::write)
        .compose(v -> {
          long next = page.getLong("last_position", after);
          return page.getBoolean("has_more", false) && next > after ? writePages(out, owner, id, format, next)
              : Future.succeededFuture();
        }));
  }

  private static Buffer render(ExportFormat format, JsonObject page, boolean first) {
    Buffer messages = format.messages(page.getJsonArray("messages"));
    return first ? format.header(page).appendBuffer(messages) : messages;
  }

  /** Removes export files older than {@link #SWEEP_AGE_MS}; once per node and folder. */
  static void sweep(Vertx vertx, Path dir, Node node) {
    if (!node.firstSweepOf(dir)) {
      return;
    }
    FileSystem fs = vertx.fileSystem();
    long cutoff = System.currentTimeMillis() - SWEEP_AGE_MS;
    fs.exists(dir.toString())
        .compose(exists -> exists ? fs.readDir(dir.toString(), NAME) : Future.succeededFuture(List.<String>of()))
        .compose(files -> Future.join(files.stream().map(file -> fs.props(file).compose(props ->
            props.isRegularFile() && props.lastModifiedTime() < cutoff
                ? fs.delete(file).map(true) : Future.succeededFuture(false))).toList()))
        .onComplete(done -> {
          long removed = done.succeeded() ? done.result().list().stream().filter(Boolean.TRUE::equals).count() : 0;
          if (removed > 0 || done.failed()) {
            LOG.info("export: swept {} file(s) left in {} by an earlier run{}", removed, dir,
                done.failed() ? " (some could not be removed: " + done.cause().getMessage() + ")" : "");
          }
        });
  }
}
