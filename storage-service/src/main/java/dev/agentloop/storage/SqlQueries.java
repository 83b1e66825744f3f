package dev.agentloop.storage;

import java.util.List;

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
          "CREATE TABLE conversations ("
              + "seq BIGSERIAL NOT NULL UNIQUE, "
              + "id TEXT PRIMARY KEY, "
              + "title TEXT, "
              + "metadata JSONB NOT NULL DEFAULT '{}', "
              + "created_at BIGINT NOT NULL, "
              + "message_count INT NOT NULL DEFAULT 0)",
          "CREATE TABLE messages ("
              + "conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE, "
              + "idx INT NOT NULL, "
              + "role TEXT NOT NULL, "
              + "body JSONB NOT NULL, "
              + "PRIMARY KEY (conversation_id, idx))"));

  static final String PING = "SELECT 1";

  static final String INSERT_CONVERSATION = "INSERT INTO conversations (id, title, metadata, created_at) "
      + "VALUES ($1, $2, $3, $4)";
  static final String SELECT_CONVERSATION = "SELECT id, title, metadata, created_at, message_count "
      + "FROM conversations WHERE id = $1";
  /** One page of messages, oldest first; ask for one more than the page to learn whether there is more. */
  static final String SELECT_PAGE = "SELECT idx, body FROM messages WHERE conversation_id = $1 AND idx >= $2 "
      + "ORDER BY idx LIMIT $3";
  /** The newest messages, newest first (the history window reads only these). */
  static final String SELECT_NEWEST = "SELECT idx, body FROM messages WHERE conversation_id = $1 "
      + "ORDER BY idx DESC LIMIT $2";
  static final String LIST_NEWEST = "SELECT id, title, metadata, created_at, message_count "
      + "FROM conversations ORDER BY seq DESC LIMIT $1";
  static final String LIST_AFTER = "SELECT id, title, metadata, created_at, message_count "
      + "FROM conversations WHERE seq < (SELECT seq FROM conversations WHERE id = $1) ORDER BY seq DESC LIMIT $2";
  /** Locks the conversation row for the turn and says where its new messages start. */
  static final String BUMP_MESSAGE_COUNT = "UPDATE conversations SET message_count = message_count + $2 "
      + "WHERE id = $1 RETURNING message_count";
  static final String INSERT_MESSAGE = "INSERT INTO messages (conversation_id, idx, role, body) VALUES ($1, $2, $3, $4)";
  static final String DELETE_CONVERSATION = "DELETE FROM conversations WHERE id = $1";
}
