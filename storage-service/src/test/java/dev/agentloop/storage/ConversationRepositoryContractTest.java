package dev.agentloop.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.config.ConfigLoader;
import dev.agentloop.contract.config.Settings;
import dev.agentloop.contract.storage.Owners;
import dev.agentloop.testkit.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The repository contract, the same for both backends: concurrent turns on one conversation stay
 * whole and in one order, unknown ids are 404, and the PostgreSQL schema migrates idempotently.
 * PostgreSQL: {@code PG*} variables or {@code postgres@127.0.0.1:5432}, a database per test; skipped
 * when unreachable, failed when {@code CI} is set.
 */
class ConversationRepositoryContractTest {

  private static final String OWNER = "key_0123456789abcdef";

  /** The test runs once on the embedded store and once on PostgreSQL. */
  @Target(ElementType.METHOD)
  @Retention(RetentionPolicy.RUNTIME)
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"local", "postgres"})
  @interface OnEachBackend {
  }

  private Vertx vertx;
  private final List<Runnable> cleanups = new ArrayList<>();

  @BeforeEach
  void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void close() {
    cleanups.forEach(Runnable::run);
    vertx.close().await();
  }

  private ConversationRepository open(String backend) throws Exception {
    ConversationRepository repository;
    if ("postgres".equals(backend)) {
      repository = postgres(storage(freshDatabase()));
    } else {
      Path dir = Files.createTempDirectory("agentloop-repo-");
      repository = new LocalConversationRepository(vertx, dir);
    }
    repository.start().await(20, TimeUnit.SECONDS);
    cleanups.add(0, () -> repository.close().await());
    return repository;
  }

  @OnEachBackend
  void concurrent_turns_on_one_conversation_are_each_stored_whole_in_one_order(String backend) throws Exception {
    ConversationRepository repository = open(backend);
    String id = repository.create(OWNER, "race", new JsonObject().put("k", "v")).await(10, TimeUnit.SECONDS).getString("id");
    List<Future<JsonObject>> turns = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String words = "turn " + i;
      turns.add(repository.appendTurn(OWNER, id,
          new JsonArray().add(new JsonObject().put("role", "user").put("content", words)),
          new JsonObject().put("content", words).put("model", "m").put("finish_reason", "stop").put("complete", i % 2 == 0)));
    }
    Future.all(turns).await(30, TimeUnit.SECONDS);
    Set<Integer> counts = new HashSet<>();
    turns.forEach(t -> counts.add(t.result().getInteger("message_count")));
    assertThat(counts).hasSize(30); // every turn got its own slot

    JsonObject conversation = repository.page(OWNER, id, 0, 1000).await(10, TimeUnit.SECONDS);
    JsonArray messages = conversation.getJsonArray("messages");
    assertThat(conversation.getInteger("message_count")).isEqualTo(60);
    assertThat(messages).hasSize(60);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 60; i += 2) {
      JsonObject user = messages.getJsonObject(i);
      JsonObject assistant = messages.getJsonObject(i + 1);
      assertThat(user.getString("role")).isEqualTo("user");
      assertThat(assistant.getString("role")).isEqualTo("assistant");
      assertThat(assistant.getString("content")).isEqualTo(user.getString("content"));
      int n = Integer.parseInt(user.getString("content").substring(5));
      assertThat(assistant.getBoolean("complete")).isEqualTo(n % 2 == 0);
      seen.add(user.getString("content"));
    }
    assertThat(seen).hasSize(30);
    assertThat(conversation.getJsonObject("metadata").getString("k")).isEqualTo("v");
  }

  @OnEachBackend
  void unknown_conversations_are_404_everywhere(String backend) throws Exception {
    ConversationRepository repository = open(backend);
    JsonArray input = new JsonArray().add(new JsonObject().put("role", "user").put("content", "x"));
    for (Future<?> call : List.of(repository.page(OWNER, "conv_missing", 0, 10), repository.window(OWNER, "conv_missing", 5, 100),
        repository.delete(OWNER, "conv_missing"),
        repository.appendTurn(OWNER, "conv_missing", input, new JsonObject().put("content", "y")))) {
      assertThatThrownBy(() -> call.await(10, TimeUnit.SECONDS))
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
    }
    assertThat(repository.list(OWNER, 10, "conv_missing").await(10, TimeUnit.SECONDS).getJsonArray("data")).isEmpty();
  }

  @OnEachBackend
  void pages_walk_every_message_exactly_once_in_order(String backend) throws Exception {
    ConversationRepository repository = open(backend);
    String id = create(repository, OWNER, "pages");
    for (int i = 0; i < 25; i++) { // 50 messages; pages of 7 split turns
      user(repository, id, "m" + i);
    }
    List<String> walked = new ArrayList<>();
    long after = 0;
    boolean more = true;
    while (more) {
      JsonObject page = repository.page(OWNER, id, after, 7).await(10, TimeUnit.SECONDS);
      JsonArray messages = page.getJsonArray("messages");
      assertThat(messages.size()).isLessThanOrEqualTo(7);
      messages.forEach(m -> walked.add(((JsonObject) m).getString("role") + ":" + ((JsonObject) m).getString("content")));
      assertThat(page.getLong("last_position")).isEqualTo(after + messages.size());
      after = page.getLong("last_position");
      more = page.getBoolean("has_more");
      assertThat(page.getInteger("message_count")).isEqualTo(50);
    }
    assertThat(walked).hasSize(50).doesNotHaveDuplicates();
    for (int i = 0; i < 25; i++) {
      assertThat(walked.get(2 * i)).isEqualTo("user:m" + i);
      assertThat(walked.get(2 * i + 1)).isEqualTo("assistant:m" + i);
    }
    // a page read again (no cursor), one past the end, and one from the middle
    assertThat(repository.page(OWNER, id, 0, 7).await(10, TimeUnit.SECONDS).getJsonArray("messages").getJsonObject(0)
        .getString("content")).isEqualTo("m0");
    assertThat(repository.page(OWNER, id, 50, 7).await(10, TimeUnit.SECONDS).getJsonArray("messages")).isEmpty();
    JsonObject middle = repository.page(OWNER, id, 31, 3).await(10, TimeUnit.SECONDS);
    assertThat(middle.getJsonArray("messages").getJsonObject(0).getString("content")).isEqualTo("m15");
    assertThat(middle.getJsonArray("messages").getJsonObject(0).getString("role")).isEqualTo("assistant");
    assertThat(middle.getBoolean("has_more")).isTrue();
  }

  @OnEachBackend
  void the_window_holds_the_newest_messages_that_fit_and_keeps_tool_replies_with_their_call(String backend)
      throws Exception {
    ConversationRepository repository = open(backend);
    String id = create(repository, OWNER, "window");
    for (int i = 0; i < 5; i++) {
      user(repository, id, "turn " + i + " " + "x".repeat(90)); // 97 characters each
    }
    JsonObject byCount = repository.window(OWNER, id, 4, 1_000_000).await(10, TimeUnit.SECONDS);
    assertThat(contents(byCount)).containsExactly("turn 3", "turn 3", "turn 4", "turn 4");
    assertThat(byCount.getJsonObject("history").getInteger("used")).isEqualTo(4);
    assertThat(byCount.getJsonObject("history").getInteger("dropped")).isEqualTo(6);
    JsonObject byChars = repository.window(OWNER, id, 100, 300).await(10, TimeUnit.SECONDS);
    assertThat(contents(byChars)).containsExactly("turn 3", "turn 4", "turn 4");
    assertThat(repository.window(OWNER, id, 0, 1000).await(10, TimeUnit.SECONDS).getJsonObject("history")
        .getInteger("dropped")).isEqualTo(10);
    assertThat(contents(repository.window(OWNER, id, 100, 1_000_000).await(10, TimeUnit.SECONDS))).hasSize(10);

    // a call with two tool replies, then the answer: the window never cuts inside the group
    JsonArray calls = new JsonArray().add(new JsonObject().put("id", "call_1").put("type", "function")
        .put("function", new JsonObject().put("name", "lookup").put("arguments", "{}")));
    JsonArray input = new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", "look it up"))
        .add(new JsonObject().put("role", "assistant").putNull("content").put("tool_calls", calls))
        .add(new JsonObject().put("role", "tool").put("tool_call_id", "call_1").put("content", "first"))
        .add(new JsonObject().put("role", "tool").put("tool_call_id", "call_1").put("content", "second"));
    repository.appendTurn(OWNER, id, input, new JsonObject().put("content", "found it").put("model", "m"))
        .await(10, TimeUnit.SECONDS);
    assertThat(roles(repository.window(OWNER, id, 3, 1_000_000).await(10, TimeUnit.SECONDS))).containsExactly("assistant");
    assertThat(roles(repository.window(OWNER, id, 4, 1_000_000).await(10, TimeUnit.SECONDS)))
        .containsExactly("assistant", "tool", "tool", "assistant");
    JsonObject withCall = repository.window(OWNER, id, 5, 1_000_000).await(10, TimeUnit.SECONDS);
    assertThat(roles(withCall)).containsExactly("user", "assistant", "tool", "tool", "assistant");
    assertThat(withCall.getJsonArray("messages").getJsonObject(1).getJsonArray("tool_calls")).isEqualTo(calls);
  }

  @OnEachBackend
  void another_owners_conversation_is_unknown_and_each_owner_lists_only_its_own(String backend) throws Exception {
    ConversationRepository repository = open(backend);
    String other = "key_fedcba9876543210";
    String mine = create(repository, OWNER, "mine");
    user(repository, mine, "private words");
    String theirs = create(repository, other, "theirs");
    JsonArray input = new JsonArray().add(new JsonObject().put("role", "user").put("content", "x"));
    for (Future<?> call : List.of(repository.page(other, mine, 0, 10), repository.window(other, mine, 5, 100),
        repository.appendTurn(other, mine, input, new JsonObject().put("content", "y")),
        repository.delete(other, mine))) {
      assertThatThrownBy(() -> call.await(10, TimeUnit.SECONDS))
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
    }
    assertThat(ids(repository.list(other, 10, null))).containsExactly(theirs);
    assertThat(ids(repository.list(OWNER, 10, null))).containsExactly(mine);
    assertThat(ids(repository.list(other, 10, mine))).as("another owner's cursor").isEmpty();
    assertThat(ids(repository.list(Owners.ALL, 10, null))).containsExactly(theirs, mine);
    assertThat(repository.page(Owners.ALL, mine, 0, 10).await(10, TimeUnit.SECONDS).getInteger("message_count"))
        .isEqualTo(2);
    repository.delete(Owners.ALL, theirs).await(10, TimeUnit.SECONDS);
    assertThat(ids(repository.list(Owners.ALL, 10, null))).containsExactly(mine);
  }

  @OnEachBackend
  void concurrent_turns_with_one_idempotency_key_store_one_turn_and_all_answer_its_response(String backend)
      throws Exception {
    ConversationRepository repository = open(backend);
    String id = create(repository, OWNER, "keyed");
    List<Future<JsonObject>> turns = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      KeyedWrite keyed = new KeyedWrite(OWNER, "retry-1", "ab12", 200, new JsonObject().put("answer", i), 60_000);
      turns.add(repository.appendTurn(OWNER, id,
          new JsonArray().add(new JsonObject().put("role", "user").put("content", "once")),
          new JsonObject().put("content", "answer " + i), keyed));
    }
    Future.all(turns).await(30, TimeUnit.SECONDS);
    Set<JsonObject> bodies = new HashSet<>();
    int fresh = 0;
    for (Future<JsonObject> turn : turns) {
      bodies.add(turn.result().getJsonObject("body"));
      fresh += turn.result().getBoolean("replayed") ? 0 : 1;
    }
    assertThat(fresh).as("one write").isEqualTo(1);
    assertThat(bodies).as("every retry answers the one response").hasSize(1);
    JsonObject stored = repository.page(OWNER, id, 0, 100).await(10, TimeUnit.SECONDS);
    assertThat(stored.getInteger("message_count")).isEqualTo(2);
    assertThat(stored.getJsonArray("messages").getJsonObject(1).getString("content"))
        .isEqualTo("answer " + bodies.iterator().next().getInteger("answer"));
    KeyedWrite other = new KeyedWrite(OWNER, "retry-1", "cd34", 200, new JsonObject(), 60_000);
    assertThatThrownBy(() -> repository.appendTurn(OWNER, id, new JsonArray(), new JsonObject(), other)
        .await(10, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(422));
    JsonObject created = repository.create(OWNER, "made once", null,
        new KeyedWrite(OWNER, "create-1", "ef56", 201, null, 60_000)).await(10, TimeUnit.SECONDS);
    JsonObject again = repository.create(OWNER, "made once", null,
        new KeyedWrite(OWNER, "create-1", "ef56", 201, null, 60_000)).await(10, TimeUnit.SECONDS);
    assertThat(again.getBoolean("replayed")).isTrue();
    assertThat(again.getJsonObject("body")).isEqualTo(created.getJsonObject("body"));
    assertThat(ids(repository.list(OWNER, 100, null))).hasSize(2);
  }

  private static List<String> ids(Future<JsonObject> list) throws Exception {
    return list.await(10, TimeUnit.SECONDS).getJsonArray("data").stream()
        .map(c -> ((JsonObject) c).getString("id")).toList();
  }

  @Test
  void the_postgres_migration_to_owners_makes_existing_conversations_anonymous() throws Exception {
    String url = freshDatabase();
    PgConnection conn = PgConnection.connect(vertx, PgConnectOptions.fromUri(url)).await(10, TimeUnit.SECONDS);
    try { // the schema as version 2 left it, with a conversation in it
      conn.query(SqlQueries.CREATE_SCHEMA_VERSION).execute().await(10, TimeUnit.SECONDS);
      for (int version = 1; version <= 2; version++) {
        for (String statement : SqlQueries.MIGRATIONS.get(version - 1)) {
          conn.query(statement).execute().await(10, TimeUnit.SECONDS);
        }
        conn.query("INSERT INTO schema_version (version) VALUES (" + version + ")").execute().await(10, TimeUnit.SECONDS);
      }
      conn.query("INSERT INTO conversations (id, title, created_at) VALUES ('conv_before', 'old', 1)").execute()
          .await(10, TimeUnit.SECONDS);
    } finally {
      conn.close().await();
    }
    PostgresConversationRepository repository = postgres(storage(url));
    repository.start().await(20, TimeUnit.SECONDS);
    cleanups.add(0, () -> repository.close().await());
    assertThat(repository.page(Owners.ANONYMOUS, "conv_before", 0, 10).await(10, TimeUnit.SECONDS).getString("title"))
        .isEqualTo("old");
    assertThatThrownBy(() -> repository.page(OWNER, "conv_before", 0, 10).await(10, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
    assertThat(ids(repository.list(Owners.ANONYMOUS, 10, null))).containsExactly("conv_before");
  }

  /** A new conversation of {@code owner}, by id. */
  private static String create(ConversationRepository repository, String owner, String title) throws Exception {
    return repository.create(owner, title, null).await(10, TimeUnit.SECONDS).getString("id");
  }

  private static void user(ConversationRepository repository, String id, String words) throws Exception {
    repository.appendTurn(OWNER, id, new JsonArray().add(new JsonObject().put("role", "user").put("content", words)),
        new JsonObject().put("content", words).put("model", "m").put("finish_reason", "stop"))
        .await(10, TimeUnit.SECONDS);
  }

  private static List<String> contents(JsonObject window) {
    return window.getJsonArray("messages").stream()
        .map(m -> ((JsonObject) m).getString("content").split(" x")[0]).toList();
  }

  private static List<String> roles(JsonObject window) {
    return window.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("role")).toList();
  }

  @Test
  void the_postgres_schema_migrates_once_and_a_second_start_changes_nothing() throws Exception {
    String url = freshDatabase();
    StorageConfig storage = storage(url);
    List<PostgresConversationRepository> repositories = new ArrayList<>();
    List<Future<Void>> starts = new ArrayList<>();
    for (int i = 0; i < 3; i++) { // three nodes starting at once
      PostgresConversationRepository repository = postgres(storage);
      repositories.add(repository);
      starts.add(repository.start());
    }
    Future.all(starts).await(30, TimeUnit.SECONDS);
    String id = create(repositories.get(0), OWNER, "t");
    assertThat(repositories.get(2).page(OWNER, id, 0, 10).await(10, TimeUnit.SECONDS).getString("title")).isEqualTo("t");
    for (PostgresConversationRepository repository : repositories) {
      repository.close().await();
    }
    PgConnection conn = PgConnection.connect(vertx, PgConnectOptions.fromUri(url)).await(10, TimeUnit.SECONDS);
    try {
      var rows = conn.query("SELECT version FROM schema_version ORDER BY version").execute().await(10, TimeUnit.SECONDS);
      List<Integer> versions = new ArrayList<>();
      rows.forEach(r -> versions.add(r.getInteger(0)));
      assertThat(versions).containsExactly(1, 2, 3, 4); // conversations, jobs, owners, idempotency keys
    } finally {
      conn.close().await();
    }
  }

  // ---- PostgreSQL: a database per test ----

  private String freshDatabase() {
    TestPostgres database = TestPostgres.createDatabase();
    cleanups.add(database::close);
    return database.url();
  }

  /** The defaults with {@code storage.postgres.url} set. */
  private static StorageConfig storage(String url) {
    JsonObject tree = ConfigLoader.defaults();
    tree.getJsonObject("storage").getJsonObject("postgres").put("url", url);
    return StorageConfig.from(Settings.root(tree).section("storage"));
  }

  private PostgresConversationRepository postgres(StorageConfig storage) {
    return new PostgresConversationRepository(vertx, storage.postgres(), storage.keys().maxPerOwner());
  }
}
