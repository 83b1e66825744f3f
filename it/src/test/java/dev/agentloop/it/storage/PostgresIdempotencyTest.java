package dev.agentloop.it.storage;

import dev.agentloop.it.support.TestApp;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;
import java.util.concurrent.TimeUnit;

/**
 * The idempotency suite against PostgreSQL. Writes are held back by a lock the test takes on the
 * conversation's row, so a turn's transaction waits past the query timeout and commits once the
 * lock is gone.
 */
class PostgresIdempotencyTest extends IdempotencySuite {

  PostgresIdempotencyTest() {
    super(StorageBackend.postgres());
  }

  @Override
  protected AutoCloseable holdWrites(TestApp app, String conversationId) throws Exception {
    String url = app.config().getJsonObject("storage").getJsonObject("postgres").getString("url");
    PgConnection conn = PgConnection.connect(app.vertx(), PgConnectOptions.fromUri(url)).await(10, TimeUnit.SECONDS);
    conn.query("BEGIN").execute().await(10, TimeUnit.SECONDS);
    conn.preparedQuery("SELECT id FROM conversations WHERE id = $1 FOR UPDATE").execute(Tuple.of(conversationId))
        .await(10, TimeUnit.SECONDS);
    return () -> conn.query("COMMIT").execute().eventually(conn::close).await(10, TimeUnit.SECONDS);
  }
}
