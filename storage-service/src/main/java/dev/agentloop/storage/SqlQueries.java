package dev.agentloop.storage;

import java.util.List;
import java.util.StringJoiner;

/** Every statement the PostgreSQL backend runs; all of them go through prepared statements. */
final class SqlQueries {

  private SqlQueries() {
  }

  /** Serialises concurrent migrations from several nodes (an arbitrary constant key). */
  static final long MIGRATION_LOCK_KEY = 0x6167656e746c6f6fL;
  static final String LOCK_MIGRATIONS = "SELECT pg_advisory_xact_lock($1)";
  static final String CREATE_SCHEMA_VERSION = "CREATE TABLE IF NOT EXISTS schema_version ("
      + "version INT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())";
  static final String CURRENT_VERSION = "SELECT COALESCE(MAX(version), 0) AS version FROM schema_version";
  static final String RECORD_VERSION = "INSERT INTO schema_version (version) VALUES ($1)";

  /** Migration {@code i + 1} is {@code MIGRATIONS.get(i)}; append new ones, never edit old ones. */
  static final List<List<String>> MIGRATIONS = List.of(
      List.of(
          table("conversations", "seq BIGSERIAL NOT NULL UNIQUE", "id TEXT PRIMARY KEY", "title TEXT",
              "metadata JSONB NOT NULL DEFAULT '{}'", "created_at BIGINT NOT NULL",
              "message_count INT NOT NULL DEFAULT 0"),
          table("messages", "conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE",
              "idx INT NOT NULL", "role TEXT NOT NULL", "body JSONB NOT NULL", "PRIMARY KEY (conversation_id, idx)")),
      List.of(
          table("jobs", "id TEXT PRIMARY KEY", "node TEXT NOT NULL", "incarnation TEXT NOT NULL",
              "created_at BIGINT NOT NULL", "concurrency INT NOT NULL", "requests JSONB NOT NULL",
              "version BIGINT NOT NULL", "status TEXT NOT NULL", "started_at BIGINT", "finished_at BIGINT",
              "total INT NOT NULL", "succeeded INT NOT NULL", "failed INT NOT NULL", "cancelled INT NOT NULL",
              "running INT NOT NULL"),
          "CREATE INDEX jobs_finished_at ON jobs (finished_at) WHERE finished_at IS NOT NULL",
          "CREATE INDEX jobs_unfinished_node ON jobs (node) WHERE finished_at IS NULL",
          table("job_items", "job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE", "idx INT NOT NULL",
              "size BIGINT NOT NULL", "result JSONB NOT NULL", "PRIMARY KEY (job_id, idx)")),
      // owners: what existed before belongs to no key
      List.of(
          "ALTER TABLE conversations ADD COLUMN owner TEXT NOT NULL DEFAULT 'anonymous'",
          "CREATE INDEX conversations_owner_seq ON conversations (owner, seq)",
          "ALTER TABLE jobs ADD COLUMN owner TEXT NOT NULL DEFAULT 'anonymous'"),
      // idempotency keys: reserved while a request runs, then completed with its response; a key
      // recorded with a conversation or a job goes when it goes
      List.of(
          table("idempotency_keys", "owner TEXT NOT NULL", "key TEXT NOT NULL", "hash TEXT NOT NULL",
              "state TEXT NOT NULL", "status INT", "body JSONB", "expires_at BIGINT NOT NULL",
              "conversation_id TEXT REFERENCES conversations (id) ON DELETE CASCADE",
              "job_id TEXT REFERENCES jobs (id) ON DELETE CASCADE", "PRIMARY KEY (owner, key)"),
          "CREATE INDEX idempotency_keys_owner_expires ON idempotency_keys (owner, expires_at)",
          "CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at)",
          "CREATE INDEX idempotency_keys_conversation ON idempotency_keys (conversation_id) "
              + "WHERE conversation_id IS NOT NULL",
          "CREATE INDEX idempotency_keys_job ON idempotency_keys (job_id) WHERE job_id IS NOT NULL"));

  static final String PING = "SELECT 1";

  /** {@code $2} in the statements below is the owner whose rows they may touch, or '*' for all. */
  private static final String OWNED = "($2 = '*' OR owner = $2)";
  /** The columns a conversation is read back with. */
  private static final String CONVERSATION_ROW = "SELECT id, title, metadata, created_at, message_count "
      + "FROM conversations";
  private static final String MESSAGES_OF = "SELECT idx, body FROM messages WHERE conversation_id = $1 ";

  static final String INSERT_CONVERSATION = insert("conversations", "id", "owner", "title", "metadata", "created_at");
  static final String SELECT_CONVERSATION = CONVERSATION_ROW + " WHERE id = $1 AND " + OWNED;
  /** One page of messages, oldest first; ask for one more than the page to learn whether there is more. */
  static final String SELECT_PAGE = MESSAGES_OF + "AND idx >= $2 ORDER BY idx LIMIT $3";
  /** The newest messages, newest first (the history window reads only these). */
  static final String SELECT_NEWEST = MESSAGES_OF + "ORDER BY idx DESC LIMIT $2";
  /** Lists: everyone's (an admin), or one owner's along the index (owner, seq); a cursor of another owner is no row. */
  static final String LIST_NEWEST = newestFirst("", 1);
  static final String LIST_AFTER = newestFirst(" WHERE seq < (SELECT seq FROM conversations WHERE id = $1)", 2);
  static final String LIST_OWNER_NEWEST = newestFirst(" WHERE owner = $1", 2);
  static final String LIST_OWNER_AFTER =
      newestFirst(" WHERE owner = $1 AND seq < (SELECT seq FROM conversations WHERE id = $2 AND owner = $1)", 3);
  /** Locks the conversation row for the turn and says where its new messages start. */
  static final String BUMP_MESSAGE_COUNT = "UPDATE conversations SET message_count = message_count + $3 "
      + "WHERE id = $1 AND " + OWNED + " RETURNING message_count";
  static final String INSERT_MESSAGE = insert("messages", "conversation_id", "idx", "role", "body");
  static final String DELETE_CONVERSATION = "DELETE FROM conversations WHERE id = $1 AND " + OWNED;

  static final String INSERT_JOB = insert("jobs", "id", "node", "incarnation", "created_at", "concurrency",
      "requests", "version", "status", "started_at", "finished_at", "total", "succeeded", "failed", "cancelled",
      "running", "owner");
  /** A state older than the stored one (writes that crossed) changes nothing. */
  static final String UPDATE_JOB_STATE = "UPDATE jobs SET version = $2, status = $3, started_at = $4, "
      + "finished_at = $5, succeeded = $6, failed = $7, cancelled = $8, running = $9 WHERE id = $1 AND version < $2";
  static final String UPSERT_JOB_ITEM = insert("job_items", "job_id", "idx", "size", "result")
      + " ON CONFLICT (job_id, idx) DO UPDATE SET size = EXCLUDED.size, result = EXCLUDED.result";
  static final String SELECT_JOB = "SELECT id, created_at, concurrency, version, status, started_at, finished_at, "
      + "total, succeeded, failed, cancelled, running FROM jobs WHERE id = $1 AND " + OWNED;
  /** The sizes of the results in an index range: small rows that decide where a page stops. */
  static final String SELECT_JOB_ITEM_SIZES = jobItemsInRange("size");
  static final String SELECT_JOB_ITEMS = jobItemsInRange("result");
  static final String INTERRUPT_JOBS = "UPDATE jobs SET version = version + 1, status = 'interrupted', "
      + "finished_at = $3, cancelled = total - succeeded - failed, running = 0 "
      + "WHERE node = $1 AND incarnation <> $2 AND finished_at IS NULL";
  static final String EXPIRE_JOBS = "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE finished_at < $1 "
      + "ORDER BY finished_at LIMIT $2)";

  /** Times ({@code expires_at}, {@code $3} below) are milliseconds of the storage node's clock. */
  private static final String THE_KEY = "WHERE owner = $1 AND key = $2";
  static final String KEY_DELETE_EXPIRED = "DELETE FROM idempotency_keys " + THE_KEY + " AND expires_at < $3";
  static final String KEY_SELECT = "SELECT hash, state, status, body, expires_at FROM idempotency_keys " + THE_KEY;
  /** The owner's live keys, and when the first of them expires (for the Retry-After past the cap). */
  static final String KEY_COUNT = "SELECT count(*) AS live, min(expires_at) AS oldest FROM idempotency_keys "
      + "WHERE owner = $1 AND expires_at >= $2";
  static final String KEY_RESERVE = "INSERT INTO idempotency_keys (owner, key, hash, state, expires_at) "
      + "VALUES ($1, $2, $3, 'reserved', $4) ON CONFLICT DO NOTHING";
  static final String KEY_RELEASE = "DELETE FROM idempotency_keys " + THE_KEY
      + " AND hash = $3 AND state = 'reserved'";
  /** Completes the key unless another request completed it first (then no row: the caller rolls back). */
  static final String KEY_COMPLETE = "INSERT INTO idempotency_keys (owner, key, hash, state, status, body, expires_at, "
      + "conversation_id, job_id) VALUES ($1, $2, $3, 'completed', $4, $5, $6, $7, $8) ON CONFLICT (owner, key) DO UPDATE "
      + "SET hash = EXCLUDED.hash, state = 'completed', status = EXCLUDED.status, body = EXCLUDED.body, "
      + "expires_at = EXCLUDED.expires_at, conversation_id = EXCLUDED.conversation_id, job_id = EXCLUDED.job_id "
      + "WHERE idempotency_keys.state <> 'completed' OR idempotency_keys.expires_at < $9";
  static final String KEY_SWEEP = "DELETE FROM idempotency_keys WHERE ctid IN (SELECT ctid FROM idempotency_keys "
      + "WHERE expires_at < $1 LIMIT $2)";

  /** {@code CREATE TABLE name (column, ...)}. */
  private static String table(String name, String... columns) {
    return "CREATE TABLE " + name + " (" + String.join(", ", columns) + ")";
  }

  /** {@code INSERT INTO table (columns) VALUES ($1, ...)}: one parameter a column, in their order. */
  private static String insert(String table, String... columns) {
    StringJoiner values = new StringJoiner(", ", "(", ")");
    for (int i = 1; i <= columns.length; i++) {
      values.add("$" + i);
    }
    return "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES " + values;
  }

  /** Conversations newest first, {@code $limit} of them. */
  private static String newestFirst(String where, int limit) {
    return CONVERSATION_ROW + where + " ORDER BY seq DESC LIMIT $" + limit;
  }

  /** A job's results with {@code $2 < idx <= $3}, in order. */
  private static String jobItemsInRange(String column) {
    return "SELECT idx, " + column + " FROM job_items WHERE job_id = $1 AND idx > $2 AND idx <= $3 ORDER BY idx";
  }
}
