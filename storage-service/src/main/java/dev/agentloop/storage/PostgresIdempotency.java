package dev.agentloop.storage;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.function.Function;

/**
 * Idempotency keys in PostgreSQL (table {@code idempotency_keys}, migration 4), on the pool, schema
 * and timeouts of the conversations' repository. A keyed write ({@link #write}) runs in one
 * transaction with the key's completion: if the commit happens after its caller gave up (the query
 * timeout, the bus timeout), the retry finds the key completed. Two writes with one key never both
 * commit: the completion is an upsert that only a key not yet completed takes; the loser rolls back
 * and answers the winner's response.
 */
final class PostgresIdempotency implements IdempotencyStore {

  /** The key was completed by another request while this write ran: roll back and answer that one. */
  private static final class Raced extends RuntimeException {
    Raced() {
      super("completed by another request", null, false, false);
    }
  }

  private static final int SWEEP_BATCH = 10_000;
  private final PostgresConversationRepository database;
  private final int maxPerOwner;

  PostgresIdempotency(PostgresConversationRepository database, int maxPerOwner) {
    this.database = database;
    this.maxPerOwner = maxPerOwner;
  }

  @Override
  public Future<Void> start() {
    return Future.succeededFuture(); // the schema is migrated with the conversations'
  }

  @Override
  public Future<JsonObject> begin(String owner, String key, String hash, long lockMs) {
    long now = System.currentTimeMillis();
    return database.call(() -> database.pool().withConnection(conn -> conn
        .preparedQuery(SqlQueries.KEY_DELETE_EXPIRED).execute(Tuple.of(owner, key, now))
        .compose(v -> select(conn, owner, key))
        .compose(row -> row != null ? Future.succeededFuture(decide(row, hash, now))
            : capped(conn, owner, now)
                .compose(v -> conn.preparedQuery(SqlQueries.KEY_RESERVE).execute(Tuple.of(owner, key, hash, now + lockMs)))
                .compose(inserted -> inserted.rowCount() == 1 ? Future.succeededFuture(reserved())
                    : select(conn, owner, key).map(raced -> raced == null ? reserved() : decide(raced, hash, now))))));
  }

  @Override
  public Future<Boolean> release(String owner, String key, String hash) {
    return database.call(() -> database.pool().preparedQuery(SqlQueries.KEY_RELEASE).execute(Tuple.of(owner, key, hash))
        .map(rows -> rows.rowCount() > 0));
  }

  @Override
  public Future<JsonObject> complete(KeyedWrite write) {
    return database.call(() -> write(write, null, null, conn -> Future.succeededFuture()));
  }

  @Override
  public Future<Integer> sweep() {
    return database.call(() -> database.pool().preparedQuery(SqlQueries.KEY_SWEEP)
        .execute(Tuple.of(System.currentTimeMillis(), SWEEP_BATCH)).map(RowSet::rowCount));
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture(); // the pool is the conversations' repository's
  }

  /**
   * Runs {@code work} and completes the key in one transaction: the recorded response of
   * {@code write} (whose body is set), or, when the key was completed before, that response and
   * nothing written. The key's record goes with {@code conversationId} or {@code jobId} (either may be null).
   */
  Future<JsonObject> write(KeyedWrite write, String conversationId, String jobId,
      Function<SqlConnection, Future<?>> work) {
    long now = System.currentTimeMillis();
    return database.pool().withTransaction(conn -> select(conn, write.owner(), write.key()).compose(row -> {
      JsonObject before = row == null ? null : prior(row, write.hash(), now);
      if (before != null) {
        return Future.succeededFuture(before);
      }
      Future<Void> room = row == null ? capped(conn, write.owner(), now) : Future.succeededFuture();
      return room.compose(v -> work.apply(conn))
          .compose(v -> conn.preparedQuery(SqlQueries.KEY_COMPLETE).execute(Tuple.of(write.owner(), write.key(),
              write.hash(), write.status(), write.body(), write.expiresAt(now), conversationId, jobId, now)))
          .compose(done -> done.rowCount() == 1
              ? Future.succeededFuture(KeyedWrite.recorded(write.status(), write.body(), false))
              : Future.<JsonObject>failedFuture(new Raced()));
    })).recover(failure -> failure instanceof Raced
        ? database.pool().withConnection(conn -> select(conn, write.owner(), write.key()))
            .map(row -> row == null ? null : prior(row, write.hash(), now))
            .compose(winner -> winner != null ? Future.succeededFuture(winner)
                : Future.failedFuture(KeyedWrite.inProgress(1_000)))
        : Future.failedFuture(failure));
  }

  /** What a row says to a write of {@code hash}: its response when completed, null to go ahead; 422 for another hash. */
  private static JsonObject prior(Row row, String hash, long now) {
    if (row.getLong("expires_at") < now) {
      return null;
    }
    if (!hash.equals(row.getString("hash"))) {
      throw KeyedWrite.reused();
    }
    return "completed".equals(row.getString("state"))
        ? KeyedWrite.recorded(row.getInteger("status"), row.getJsonObject("body"), true) : null;
  }

  /** What a row says to a new request: its response when completed; 409 while reserved; 422 for another hash. */
  private static JsonObject decide(Row row, String hash, long now) {
    if (!hash.equals(row.getString("hash"))) {
      throw KeyedWrite.reused();
    }
    if (!"completed".equals(row.getString("state"))) {
      throw KeyedWrite.inProgress(row.getLong("expires_at") - now);
    }
    return new JsonObject().put("state", "completed").put("status", row.getInteger("status"))
        .put("body", row.getJsonObject("body"));
  }

  private static JsonObject reserved() {
    return new JsonObject().put("state", "reserved");
  }

  private static Future<Row> select(SqlConnection conn, String owner, String key) {
    return conn.preparedQuery(SqlQueries.KEY_SELECT).execute(Tuple.of(owner, key))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }

  /** Fails with a 429 when the owner holds its most keys already. */
  private Future<Void> capped(SqlConnection conn, String owner, long now) {
    return conn.preparedQuery(SqlQueries.KEY_COUNT).execute(Tuple.of(owner, now)).compose(rows -> {
      Row row = rows.iterator().next();
      if (row.getLong("live") < maxPerOwner) {
        return Future.succeededFuture();
      }
      Long oldest = row.getLong("oldest");
      return Future.failedFuture(KeyedWrite.exhausted(maxPerOwner, oldest == null ? 1_000 : oldest - now));
    });
  }
}
