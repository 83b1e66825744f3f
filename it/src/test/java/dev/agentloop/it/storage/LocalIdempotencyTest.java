package dev.agentloop.it.storage;

import dev.agentloop.it.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The idempotency suite against the embedded file store. Writes are held back by occupying the
 * store's one worker thread, so a turn waits there past the gateway's storage timeout and is written
 * once the thread is free.
 */
class LocalIdempotencyTest extends IdempotencySuite {

  LocalIdempotencyTest() {
    super(StorageBackend.local("agentloop-idem-"));
  }

  /** The named worker pool the local conversation store runs all its file work on. */
  private static final String STORE_WORKER = "agentloop-storage-local";

  @Override
  protected AutoCloseable holdWrites(TestApp app, String conversationId) throws Exception {
    WorkerExecutor worker = app.vertx().createSharedWorkerExecutor(STORE_WORKER, 1);
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<Object> held = worker.executeBlocking(() -> {
      holding.countDown();
      release.await(60, TimeUnit.SECONDS);
      return null;
    }, false);
    if (!holding.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the store's worker never became free");
    }
    return () -> {
      release.countDown();
      held.await(10, TimeUnit.SECONDS);
      worker.close().await(10, TimeUnit.SECONDS);
    };
  }
}
