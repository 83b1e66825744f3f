package dev.agentloop.storage;

import dev.agentloop.contract.Services;
import dev.agentloop.contract.Addresses;
import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.storage.ConversationIds;
import dev.agentloop.contract.storage.Owners;
import dev.agentloop.contract.storage.StoredText;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage-service: the conversation API of {@link Addresses}{@code .STORAGE_*} and the jobs API
 * ({@link JobRequests}) and the idempotency keys ({@link IdempotencyRequests}) over the backend that
 * {@code storage.backend} names. Its ping fails while the backend cannot serve, so readiness follows
 * the database.
 */
public final class StorageVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(StorageVerticle.class);

  public static final int MAX_PAGE = 100;
  public static final int DEFAULT_MESSAGE_PAGE = 100;
  public static final int MAX_MESSAGE_PAGE = 1000;
  /** The most messages a history window may ask for (a request holds at most this many anyway). */
  public static final int MAX_WINDOW = 100_000;
  private final StorageConfig config;
  private ConversationRepository repository;
  private JobRepository jobs;
  private IdempotencyStore keys;
  private String backend;

  public StorageVerticle(StorageConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    backend = config.backend();
    if ("postgres".equals(backend)) {
      PostgresConversationRepository database = new PostgresConversationRepository(vertx, config.postgres(),
          config.keys().maxPerOwner());
      repository = database;
      jobs = new PostgresJobRepository(database);
      keys = database.keys();
    } else {
      RecordFile files = new RecordFile(RecordFile.Io.REAL, config.local().maxRecordBytes());
      LocalKeys index = new LocalKeys(config.keys().maxPerOwner());
      repository = new LocalConversationRepository(vertx, config.dataDir(), files, index);
      jobs = new LocalJobRepository(vertx, config.dataDir(), files, index);
      keys = new LocalIdempotency(vertx, config.dataDir(), files, index);
    }
    return repository.start().compose(v -> jobs.start()).compose(v -> keys.start()).compose(v -> {
      List<MessageConsumer<?>> consumers = new ArrayList<>();
      consumers.add(on(Addresses.STORAGE_PING, body -> repository.ping()
          .map(info -> new JsonObject().put("service", "storage").put("backend", backend).put("data", info))));
      consumers.add(on(Addresses.STORAGE_CREATE, this::create));
      consumers.add(on(Addresses.STORAGE_GET, this::get));
      consumers.add(on(Addresses.STORAGE_LIST, this::list));
      consumers.add(on(Addresses.STORAGE_APPEND, this::append));
      consumers.add(on(Addresses.STORAGE_DELETE, body -> repository.delete(scope(body), id(body, "id"))));
      new JobRequests(jobs).actions().forEach((address, action) -> consumers.add(on(address, action)));
      new IdempotencyRequests(keys).actions().forEach((address, action) -> consumers.add(on(address, action)));
      vertx.setPeriodic(config.keys().sweepIntervalMs(), t -> keys.sweep()
          .onFailure(e -> LOG.debug("storage: idempotency key sweep failed: {}", e.getMessage())));
      return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
    });
  }

  @Override
  public Future<?> stop() {
    Future<Void> keysClosed = keys == null ? Future.succeededFuture() : keys.close();
    Future<Void> jobsClosed = keysClosed.transform(v -> jobs == null ? Future.succeededFuture() : jobs.close());
    return jobsClosed.transform(v -> repository == null ? Future.succeededFuture() : repository.close());
  }

  private Future<JsonObject> create(JsonObject body) {
    refuseNul(body);
    Object title = body.getValue("title");
    if (title != null && !(title instanceof String)) {
      throw ApiException.badRequest("Invalid type for 'title': expected a string.", "title", "invalid_type");
    }
    if (title != null && ((String) title).length() > 512) {
      throw ApiException.badRequest("Invalid 'title': at most 512 characters.", "title", "invalid_value");
    }
    Object metadata = body.getValue("metadata");
    if (metadata != null && !(metadata instanceof JsonObject)) {
      throw ApiException.badRequest("Invalid type for 'metadata': expected an object.", "metadata", "invalid_type");
    }
    return repository.create(Owners.owner(body.getValue("owner"), "owner"), (String) title, (JsonObject) metadata,
        KeyedWrite.of(body));
  }

  /** {@code {"id","limit"?,"after"?}}: a page of messages; {@code {"id","last","max_chars"?}}: the history window. */
  private Future<JsonObject> get(JsonObject body) {
    String id = id(body, "id");
    String owner = scope(body);
    if (body.containsKey("last")) {
      if (body.containsKey("limit") || body.containsKey("after")) {
        throw ApiException.badRequest("Give either 'last' (a history window) or 'limit'/'after' (a page), not both.",
            "last", "invalid_value");
      }
      int last = (int) integer(body, "last", 0, 0, MAX_WINDOW);
      return repository.window(owner, id, last, integer(body, "max_chars", Integer.MAX_VALUE, 0, Integer.MAX_VALUE));
    }
    return repository.page(owner, id, integer(body, "after", 0, 0, Integer.MAX_VALUE),
        (int) integer(body, "limit", DEFAULT_MESSAGE_PAGE, 1, MAX_MESSAGE_PAGE));
  }

  private static long integer(JsonObject body, String key, long fallback, long min, long max) {
    Object value = body.getValue(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < min
        || ((Number) value).longValue() > max) {
      throw ApiException.badRequest("Invalid '" + key + "': expected an integer between " + min + " and " + max + ".",
          key, "invalid_value");
    }
    return ((Number) value).longValue();
  }

  private Future<JsonObject> list(JsonObject body) {
    String owner = scope(body);
    Object limit = body.getValue("limit");
    int n = 20;
    if (limit != null) {
      if (!(limit instanceof Integer || limit instanceof Long) || ((Number) limit).longValue() < 1
          || ((Number) limit).longValue() > MAX_PAGE) {
        throw ApiException.badRequest("Invalid 'limit': expected an integer between 1 and " + MAX_PAGE + ".", "limit",
            "invalid_value");
      }
      n = ((Number) limit).intValue();
    }
    String after = body.getValue("after") == null ? null : ConversationIds.require(body.getValue("after"), "after");
    return repository.list(owner, n, after);
  }

  private Future<JsonObject> append(JsonObject body) {
    refuseNul(body);
    String id = id(body, "conversation_id");
    String owner = scope(body);
    if (!(body.getValue("messages") instanceof JsonArray input) || input.stream().anyMatch(m -> !(m instanceof JsonObject))) {
      throw ApiException.badRequest("Invalid 'messages': expected an array of objects.", "messages", "invalid_type");
    }
    if (!(body.getValue("assistant") instanceof JsonObject assistant)) {
      throw ApiException.badRequest("Invalid 'assistant': expected an object.", "assistant", "invalid_type");
    }
    Messages.checkTurn(input, assistant);
    KeyedWrite keyed = KeyedWrite.of(body);
    if (keyed != null && keyed.body() == null) {
      throw ApiException.badRequest("Invalid 'idempotency.body': the response to record is required.",
          "idempotency.body", "invalid_value");
    }
    return repository.appendTurn(owner, id, input, assistant, keyed);
  }

  /** PostgreSQL cannot hold U+0000 in text or JSONB; refuse it on every backend alike. */
  static void refuseNul(JsonObject body) {
    if (StoredText.hasNul(body)) {
      throw ApiException.badRequest("Text must not contain the NUL character (U+0000).", null, "invalid_value");
    }
  }

  /** Whose records the request may touch: {@code owner}, an owner id or {@code "*"} (required). */
  static String scope(JsonObject body) {
    return Owners.scope(body.getValue("owner"));
  }

  private static String id(JsonObject body, String key) {
    return ConversationIds.require(body.getValue(key), key);
  }

  private MessageConsumer<Object> on(String address, Function<JsonObject, Future<JsonObject>> action) {
    return vertx.eventBus().consumer(address, (Message<Object> msg) -> {
      Future<JsonObject> result;
      try {
        if (msg.body() != null && !(msg.body() instanceof JsonObject)) {
          throw ApiException.badRequest("The request must be a JSON object.", null);
        }
        result = action.apply(msg.body() == null ? new JsonObject() : (JsonObject) msg.body());
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(ar -> {
        if (ar.succeeded()) {
          msg.reply(ar.result());
        } else {
          ApiException.from(ar.cause(), Services.STORAGE_SERVICE).failReply(msg);
        }
      });
    });
  }
}
