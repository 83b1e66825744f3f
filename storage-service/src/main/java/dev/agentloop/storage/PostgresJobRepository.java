package dev.agentloop.storage;

import dev.agentloop.contract.storage.JobIds;
import dev.agentloop.contract.storage.JsonSize;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.Map;

/**
 * Jobs in PostgreSQL (tables {@code jobs} and {@code job_items}, migration 2), on the pool, schema
 * and timeouts of the conversations' repository. An item's result and the job's state after it are
 * one transaction; a page reads the sizes of its range first, then only the results it holds.
 */
final class PostgresJobRepository implements JobRepository {

  private static final String FOREIGN_KEY_VIOLATION = "23503";
  private final PostgresConversationRepository database;

  PostgresJobRepository(PostgresConversationRepository database) {
    this.database = database;
  }

  @Override
  public Future<Void> start() {
    return Future.succeededFuture();
  }

  @Override
  public Future<JsonObject> create(JsonObject header, JobState state, KeyedWrite keyed) {
    Tuple row = Tuple.of(header.getString("id"), header.getString("node"), header.getString("incarnation"),
        header.getLong("created_at"), header.getInteger("concurrency"), header.getJsonArray("requests"),
        state.version(), state.status(), state.startedAt(), state.finishedAt(), state.total(), state.succeeded(),
        state.failed(), state.cancelled(), state.running(), header.getString("owner"));
    String id = header.getString("id");
    return database.call(() -> keyed == null
        ? database.pool().preparedQuery(SqlQueries.INSERT_JOB).execute(row).map(v -> new JsonObject().put("id", id))
        : database.keys().write(keyed, null, id, conn -> conn.preparedQuery(SqlQueries.INSERT_JOB).execute(row)));
  }

  @Override
  public Future<Void> update(String id, JobState state) {
    return database.call(() -> database.pool().preparedQuery(SqlQueries.UPDATE_JOB_STATE).execute(stateRow(id, state))
        .mapEmpty());
  }

  @Override
  public Future<Void> record(String id, JsonObject result, JobState state) {
    Tuple item = Tuple.of(id, result.getInteger("index"), JsonSize.estimate(result), result);
    return database.call(() -> database.pool().withTransaction(conn -> conn.preparedQuery(SqlQueries.UPSERT_JOB_ITEM)
        .execute(item)
        .compose(v -> conn.preparedQuery(SqlQueries.UPDATE_JOB_STATE).execute(stateRow(id, state)))
        .<Void>mapEmpty()
        .recover(failure -> failure instanceof PgException pg && FOREIGN_KEY_VIOLATION.equals(pg.getSqlState())
            ? Future.failedFuture(JobIds.notFound(id)) : Future.failedFuture(failure))));
  }

  @Override
  public Future<JsonObject> get(String owner, String id) {
    return database.call(() -> selectJob(owner, id).map(row -> JobPages.view(id, row.getLong("created_at"),
        row.getInteger("concurrency"), state(row))));
  }

  @Override
  public Future<JsonObject> results(String owner, String id, int after, int limit, long maxBytes) {
    int end = (int) Math.min(Integer.MAX_VALUE, (long) after + limit);
    return database.call(() -> selectJob(owner, id).compose(job -> {
      JobState state = state(job);
      return database.pool().preparedQuery(SqlQueries.SELECT_JOB_ITEM_SIZES).execute(Tuple.of(id, after, end))
          .compose(sizeRows -> {
            Map<Integer, Long> sizes = new HashMap<>();
            sizeRows.forEach(row -> sizes.put(row.getInteger("idx"), row.getLong("size")));
            int last = JobPages.last(after, limit, state, sizes, maxBytes);
            return database.pool().preparedQuery(SqlQueries.SELECT_JOB_ITEMS).execute(Tuple.of(id, after, last))
                .map(resultRows -> {
                  Map<Integer, JsonObject> results = new HashMap<>();
                  resultRows.forEach(row -> results.put(row.getInteger("idx"), row.getJsonObject("result")));
                  return JobPages.page(after, last, state, results);
                });
          });
    }));
  }

  @Override
  public Future<Integer> interrupt(String node, String incarnation, long finishedAt) {
    return database.call(() -> database.pool().preparedQuery(SqlQueries.INTERRUPT_JOBS)
        .execute(Tuple.of(node, incarnation, finishedAt)).map(RowSet::rowCount));
  }

  @Override
  public Future<Integer> expire(long finishedBefore, int limit) {
    return database.call(() -> database.pool().preparedQuery(SqlQueries.EXPIRE_JOBS)
        .execute(Tuple.of(finishedBefore, limit)).map(RowSet::rowCount));
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture(); // the pool is the conversations' repository's
  }

  private Future<Row> selectJob(String owner, String id) {
    JobIds.require(id);
    return database.pool().preparedQuery(SqlQueries.SELECT_JOB).execute(Tuple.of(id, owner)).compose(rows ->
        rows.size() == 0 ? Future.failedFuture(JobIds.notFound(id)) : Future.succeededFuture(rows.iterator().next()));
  }

  private static Tuple stateRow(String id, JobState state) {
    return Tuple.of(id, state.version(), state.status(), state.startedAt(), state.finishedAt(), state.succeeded(),
        state.failed(), state.cancelled(), state.running());
  }

  private static JobState state(Row row) {
    return new JobState(row.getLong("version"), row.getString("status"), row.getLong("started_at"),
        row.getLong("finished_at"), row.getInteger("total"), row.getInteger("succeeded"), row.getInteger("failed"),
        row.getInteger("cancelled"), row.getInteger("running"));
  }
}
