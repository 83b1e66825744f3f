package dev.agentloop.storage;

import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.storage.ConversationIds;
import dev.agentloop.contract.storage.Owners;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL through the reactive Vert.x client: one named pool, prepared statements only
 * ({@link SqlQueries}), one transaction per turn. The schema is migrated at start; when the database
 * is down at start (or later) the service still starts, every call fails fast with a 503, and the
 * migration is retried by the next call, so everything recovers by itself when the database returns.
 */
final class PostgresConversationRepository implements ConversationRepository {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresConversationRepository.class);

  private final Vertx vertx;
  private final StorageConfig.Postgres config;
  private final PostgresIdempotency keys;
  private Pool pool;
  private Future<Void> schema;

  PostgresConversationRepository(Vertx vertx, StorageConfig.Postgres config, int maxKeysPerOwner) {
    this.vertx = vertx;
    this.config = config;
    this.keys = new PostgresIdempotency(this, maxKeysPerOwner);
  }

  static PgConnectOptions connectOptions(StorageConfig.Postgres config) {
    PgConnectOptions options = config.url() != null ? PgConnectOptions.fromUri(config.url()) : PgConnectOptions.fromEnv();
    return options.setReconnectAttempts(0).setCachePreparedStatements(true);
  }

  @Override
  public Future<Void> start() {
    PgConnectOptions connect = connectOptions(config);
    pool = PgBuilder.pool()
        .with(new PoolOptions()
            .setName(config.poolName())
            .setMaxSize(config.poolSize())
            .setMaxWaitQueueSize(config.waitQueueSize())
            .setConnectionTimeout(config.acquireTimeoutMs())
            .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
            .setIdleTimeout(config.idleTimeoutMs())
            .setIdleTimeoutUnit(TimeUnit.MILLISECONDS))
        .with(new NetClientOptions().setConnectTimeout(config.connectTimeoutMs()))
        .connectingTo(connect)
        .using(vertx)
        .build();
    LOG.info("storage: PostgreSQL at {}:{}/{} as {} (pool '{}', {} connections)", connect.getHost(), connect.getPort(),
        connect.getDatabase(), connect.getUser(), config.poolName(), config.poolSize());
    // a cold JVM on a busy machine can miss the first acquire timeout: two quick retries before
    // falling back to migrating on the first call
    return schema().recover(failure -> schema()).recover(failure -> schema()).otherwise(failure -> {
      LOG.warn("storage: PostgreSQL is not reachable yet ({}); starting anyway, calls answer 503 until it is",
          failure.getMessage());
      return null;
    });
  }

  /** The migration, run once successfully; a failed attempt is retried by the next call. */
  private Future<Void> schema() {
    if (schema == null || schema.failed()) {
      schema = pool.withTransaction(this::migrate);
    }
    return schema;
  }

  private Future<Void> migrate(SqlConnection conn) {
    return conn.preparedQuery(SqlQueries.LOCK_MIGRATIONS).execute(Tuple.of(SqlQueries.MIGRATION_LOCK_KEY))
        .compose(v -> conn.preparedQuery(SqlQueries.CREATE_SCHEMA_VERSION).execute())
        .compose(v -> conn.preparedQuery(SqlQueries.CURRENT_VERSION).execute())
        .compose(rows -> {
          int current = rows.iterator().next().getInteger("version");
          Future<Void> chain = Future.succeededFuture();
          for (int i = current; i < SqlQueries.MIGRATIONS.size(); i++) {
            int version = i + 1;
            for (String statement : SqlQueries.MIGRATIONS.get(i)) {
              chain = chain.compose(v -> conn.preparedQuery(statement).execute().mapEmpty());
            }
            chain = chain.compose(v -> conn.preparedQuery(SqlQueries.RECORD_VERSION).execute(Tuple.of(version))
                .onSuccess(r -> LOG.info("storage: PostgreSQL schema migrated to version {}", version)).mapEmpty());
          }
          return chain;
        });
  }

  @Override
  public Future<JsonObject> create(String owner, String title, JsonObject metadata, KeyedWrite keyed) {
    String id = ConversationIds.newId();
    long now = System.currentTimeMillis() / 1000;
    JsonObject meta = metadata == null ? new JsonObject() : metadata;
    JsonObject conversation = Messages.conversation(id, now, title, meta, 0);
    Function<SqlConnection, Future<RowSet<Row>>> insert = conn -> conn.preparedQuery(SqlQueries.INSERT_CONVERSATION)
        .execute(Tuple.of(id, owner, title, meta, now));
    return call(() -> keyed == null ? pool.withConnection(insert).map(conversation)
        : keys.write(keyed.withBody(conversation), id, null, insert::apply));
  }

  @Override
  public Future<JsonObject> page(String owner, String id, long after, int limit) {
    ConversationIds.require(id, "id");
    return call(() -> pool.withConnection(conn -> conversation(conn, owner, id).compose(conversation -> conn
        .preparedQuery(SqlQueries.SELECT_PAGE).execute(Tuple.of(id, (int) Math.min(after, Integer.MAX_VALUE), limit + 1))
        .map(rows -> {
          JsonArray messages = new JsonArray();
          for (Row row : rows) {
            if (messages.size() < limit) {
              messages.add(row.getJsonObject("body"));
            }
          }
          return ConversationRepository.messagePage(conversation, messages, after, rows.size() > limit);
        }))));
  }

  @Override
  public Future<JsonObject> window(String owner, String id, int maxMessages, long maxChars) {
    ConversationIds.require(id, "id");
    return call(() -> pool.withConnection(conn -> conversation(conn, owner, id).compose(conversation -> {
      Window window = new Window(maxMessages, maxChars);
      if (maxMessages == 0) {
        return Future.succeededFuture(ConversationRepository.windowReply(conversation, window.messages(true)));
      }
      return conn.preparedQuery(SqlQueries.SELECT_NEWEST).execute(Tuple.of(id, maxMessages)).map(rows -> {
        boolean reachedStart = true;
        for (Row row : rows) {
          reachedStart = row.getInteger("idx") == 0;
          if (!window.offer(row.getJsonObject("body"))) {
            break;
          }
        }
        return ConversationRepository.windowReply(conversation, window.messages(reachedStart));
      });
    })));
  }

  private static Future<JsonObject> conversation(SqlConnection conn, String owner, String id) {
    return conn.preparedQuery(SqlQueries.SELECT_CONVERSATION).execute(Tuple.of(id, owner)).compose(rows -> rows.size() == 0
        ? Future.failedFuture(ConversationIds.notFound(id))
        : Future.succeededFuture(conversation(rows.iterator().next())));
  }

  @Override
  public Future<JsonObject> list(String owner, int limit, String after) {
    return call(() -> listRows(owner, limit + 1, after)
        .map(result -> {
          List<JsonObject> out = new ArrayList<>();
          for (Row row : result) {
            out.add(conversation(row));
          }
          return ConversationRepository.listPage(out, limit);
        }));
  }

  private Future<RowSet<Row>> listRows(String owner, int rows, String after) {
    if (Owners.ALL.equals(owner)) {
      return after == null ? pool.preparedQuery(SqlQueries.LIST_NEWEST).execute(Tuple.of(rows))
          : pool.preparedQuery(SqlQueries.LIST_AFTER).execute(Tuple.of(after, rows));
    }
    return after == null ? pool.preparedQuery(SqlQueries.LIST_OWNER_NEWEST).execute(Tuple.of(owner, rows))
        : pool.preparedQuery(SqlQueries.LIST_OWNER_AFTER).execute(Tuple.of(owner, after, rows));
  }

  @Override
  public Future<JsonObject> appendTurn(String owner, String id, JsonArray input, JsonObject assistant,
      KeyedWrite keyed) {
    ConversationIds.require(id, "id");
    JsonArray messages = Messages.turn(input, assistant, System.currentTimeMillis() / 1000);
    Function<SqlConnection, Future<JsonObject>> turn = conn -> conn.preparedQuery(SqlQueries.BUMP_MESSAGE_COUNT)
        .execute(Tuple.of(id, owner, messages.size()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(ConversationIds.notFound(id));
          }
          int count = rows.iterator().next().getInteger("message_count");
          int first = count - messages.size();
          List<Tuple> batch = new ArrayList<>();
          for (int i = 0; i < messages.size(); i++) {
            JsonObject message = messages.getJsonObject(i);
            batch.add(Tuple.of(id, first + i, message.getString("role"), message));
          }
          return conn.preparedQuery(SqlQueries.INSERT_MESSAGE).executeBatch(batch)
              .map(r -> new JsonObject().put("conversation_id", id).put("message_count", count));
        });
    return call(() -> keyed == null ? pool.withTransaction(turn) : keys.write(keyed, id, null, turn::apply));
  }

  @Override
  public Future<JsonObject> delete(String owner, String id) {
    ConversationIds.require(id, "id");
    return call(() -> pool.preparedQuery(SqlQueries.DELETE_CONVERSATION).execute(Tuple.of(id, owner)).compose(rows ->
        rows.rowCount() == 0
            ? Future.failedFuture(ConversationIds.notFound(id))
            : Future.succeededFuture(new JsonObject().put("id", id).put("object", "conversation.deleted")
                .put("deleted", true))));
  }

  @Override
  public Future<JsonObject> ping() {
    return call(() -> pool.preparedQuery(SqlQueries.PING).execute()
        .map(r -> new JsonObject().put("pool", config.poolName())));
  }

  @Override
  public Future<Void> close() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }

  private static JsonObject conversation(Row row) {
    Object metadata = row.getValue("metadata");
    return Messages.conversation(row.getString("id"), row.getLong("created_at"), row.getString("title"),
        metadata instanceof JsonObject m ? m : new JsonObject(), row.getInteger("message_count"));
  }

  /** The idempotency keys on this database. */
  PostgresIdempotency keys() {
    return keys;
  }

  /** The pool, for the other repositories on this database (jobs). */
  Pool pool() {
    return pool;
  }

  /**
   * Runs {@code work} once the schema is in place, within {@code query_timeout_ms} (so a database
   * that hangs rather than refuses still answers 503 before the caller's bus timeout); anything but
   * our own errors becomes a 503.
   */
  <T> Future<T> call(Supplier<Future<T>> work) {
    return schema().compose(v -> work.get()).timeout(config.queryTimeoutMs(), TimeUnit.MILLISECONDS).recover(failure -> {
      if (failure instanceof ApiException) {
        return Future.failedFuture(failure);
      }
      LOG.warn("storage: PostgreSQL call failed: {}", failure.toString());
      return Future.failedFuture(ApiException.unavailable("The database is unavailable: " + failure.getMessage()));
    });
  }
}
