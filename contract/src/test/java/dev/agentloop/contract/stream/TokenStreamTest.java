package dev.agentloop.contract.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentloop.contract.ApiException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.WriteStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link TokenStream} as a Vert.x ReadStream over a real event bus, against a {@link TokenStreamProducer}. */
class TokenStreamTest {

  private static final int MAX_BATCH = 8;
  private static final String GENERATOR = "test.stream.generator";
  private static final String CANCEL = "test.stream.cancel";
  private static final StreamTimeouts TIMEOUTS = new StreamTimeouts(5_000, 5_000, 60_000);

  private Vertx vertx;
  private Context producerContext;
  private final AtomicInteger written = new AtomicInteger();
  private final AtomicReference<TokenStreamProducer> producer = new AtomicReference<>();
  /** The n-th time the generator found the write queue full, with how many entries it had written then. */
  private final List<CompletableFuture<Integer>> stalls = List.of(new CompletableFuture<>(), new CompletableFuture<>(),
      new CompletableFuture<>());
  private int stalled;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    producerContext = vertx.getOrCreateContext();
    CompletableFuture<Void> registered = new CompletableFuture<>();
    producerContext.runOnContext(v -> vertx.eventBus().<JsonObject>consumer(GENERATOR, this::generate).completion()
        .onComplete(ar -> registered.complete(null)));
    registered.get(5, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** Writes {@code total} numbered text entries, as fast as the stream lets it: a generator that honours back-pressure. */
  private void generate(Message<JsonObject> request) {
    int total = request.body().getInteger("total");
    TokenStreamProducer out = new TokenStreamProducer(request, MAX_BATCH, 5_000);
    producer.set(out);
    Runnable[] step = new Runnable[1];
    step[0] = () -> {
      while (written.get() < total) {
        out.write(Delta.text(written.getAndIncrement() + " "));
        if (out.writeQueueFull()) {
          if (stalled < stalls.size()) {
            stalls.get(stalled++).complete(written.get());
          }
          out.drainHandler(v -> step[0].run());
          return;
        }
      }
      out.end("stop", new JsonObject().put("completion_tokens", total));
    };
    step[0].run();
  }

  private TokenStream open(String address, int total) throws Exception {
    Promise<TokenStream> opened = Promise.promise();
    vertx.runOnContext(v -> TokenStream.open(vertx, address, CANCEL, new JsonObject().put("id", "s1").put("model", "m")
        .put("total", total), TIMEOUTS, "test").onComplete(opened));
    return opened.future().await(10, TimeUnit.SECONDS);
  }

  /** The first stall is the first batch filling up; the second, the buffer behind the batch in flight. */
  private int secondStall() throws Exception {
    assertThat(stalls.get(0).get(5, TimeUnit.SECONDS)).isEqualTo(MAX_BATCH);
    return stalls.get(1).get(5, TimeUnit.SECONDS);
  }

  /** Everything the producer's context had queued before has run. */
  private void producerBarrier() throws Exception {
    CompletableFuture<Void> passed = new CompletableFuture<>();
    producerContext.runOnContext(v -> passed.complete(null));
    passed.get(5, TimeUnit.SECONDS);
  }

  private static String numbers(int count) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < count; i++) {
      text.append(i).append(' ');
    }
    return text.toString();
  }

  @Test
  @DisplayName("a paused consumer withholds its ack: the producer's write queue is full and the generator stops; resume finishes it in order")
  void pause_stops_the_generator() throws Exception {
    TokenStream stream = open(GENERATOR, 1000);
    StringBuilder text = new StringBuilder();
    CompletableFuture<StreamEnd> ended = new CompletableFuture<>();
    vertx.runOnContext(v -> stream.pause().handler(delta -> text.append(((Delta.Text) delta).text()))
        .endHandler(end -> ended.complete(stream.streamEnd()))
        .exceptionHandler(ended::completeExceptionally));
    // one batch held by the consumer, one buffered by the producer: then it waits
    assertThat(secondStall()).isEqualTo(2 * MAX_BATCH);
    producerBarrier();
    assertThat(stalls.get(2)).isNotDone();
    CompletableFuture<Boolean> full = new CompletableFuture<>();
    producerContext.runOnContext(v -> full.complete(producer.get().writeQueueFull()));
    assertThat(full.get(5, TimeUnit.SECONDS)).isTrue();
    assertThat(written.get()).isEqualTo(2 * MAX_BATCH);
    CompletableFuture<Integer> delivered = new CompletableFuture<>();
    vertx.runOnContext(v -> delivered.complete(text.length()));
    assertThat(delivered.get(5, TimeUnit.SECONDS)).isZero();

    vertx.runOnContext(v -> stream.resume());
    assertThat(ended.get(10, TimeUnit.SECONDS).usage().getInteger("completion_tokens")).isEqualTo(1000);
    assertThat(text.toString()).isEqualTo(numbers(1000));
  }

  @Test
  @DisplayName("fetch(n) delivers exactly n entries; the batch's ack waits for the rest of it")
  void fetch_delivers_exactly_n() throws Exception {
    TokenStream stream = open(GENERATOR, 100);
    List<Delta> got = new ArrayList<>();
    CompletableFuture<Integer> three = new CompletableFuture<>();
    vertx.runOnContext(v -> stream.pause().handler(delta -> {
      got.add(delta);
      if (got.size() == 3) {
        vertx.setTimer(1, t -> three.complete(got.size()));
      }
    }).fetch(3));
    assertThat(three.get(5, TimeUnit.SECONDS)).isEqualTo(3);
    assertThat(secondStall()).isEqualTo(2 * MAX_BATCH);
    producerBarrier();
    assertThat(stalls.get(2)).isNotDone();
    assertThat(written.get()).isEqualTo(2 * MAX_BATCH);
    assertThat(got).containsExactly(Delta.text("0 "), Delta.text("1 "), Delta.text("2 "));
    CompletableFuture<Void> ended = new CompletableFuture<>();
    vertx.runOnContext(v -> stream.endHandler(end -> ended.complete(null)).resume());
    ended.get(10, TimeUnit.SECONDS);
    assertThat(got).hasSize(100);
  }

  @Test
  @DisplayName("pipeTo a WriteStream: a full destination pauses the stream and so the generator; its drain lets the pipe finish")
  void pipe_to_write_stream() throws Exception {
    TokenStream stream = open(GENERATOR, 500);
    HeldWriteStream sink = new HeldWriteStream(4);
    CompletableFuture<Void> piped = new CompletableFuture<>();
    vertx.runOnContext(v -> stream.pipeTo(sink).onComplete(ar -> {
      if (ar.succeeded()) {
        piped.complete(null);
      } else {
        piped.completeExceptionally(ar.cause());
      }
    }));
    // the sink takes 4 entries and is full: the pipe pauses the stream, the ack is withheld, the generator stops
    assertThat(secondStall()).isEqualTo(2 * MAX_BATCH);
    producerBarrier();
    assertThat(stalls.get(2)).isNotDone();
    assertThat(written.get()).isEqualTo(2 * MAX_BATCH);
    CompletableFuture<Integer> taken = new CompletableFuture<>();
    vertx.runOnContext(v -> taken.complete(sink.received.size()));
    assertThat(taken.get(5, TimeUnit.SECONDS)).isEqualTo(4);

    vertx.runOnContext(v -> sink.release());
    piped.get(10, TimeUnit.SECONDS);
    assertThat(sink.ended).isTrue();
    assertThat(sink.received.stream().collect(Delta.joinedText())).isEqualTo(numbers(500));
    assertThat(stream.streamEnd().usage().getInteger("completion_tokens")).isEqualTo(500);
  }

  @Test
  @DisplayName("a TokenStream piped into a TokenStreamProducer relays the whole stream across a second hop, in order")
  void pipe_into_a_producer() throws Exception {
    String relay = "test.stream.relay";
    CompletableFuture<Void> registered = new CompletableFuture<>();
    vertx.runOnContext(v -> vertx.eventBus().<JsonObject>consumer(relay, request ->
            TokenStream.open(vertx, GENERATOR, CANCEL, request.body(), TIMEOUTS, "test").onSuccess(upstream ->
                upstream.pipeTo(new TokenStreamProducer(request, 4, 5_000))))
        .completion().onComplete(ar -> registered.complete(null)));
    registered.get(5, TimeUnit.SECONDS);
    TokenStream stream = open(relay, 300);
    CompletableFuture<String> all = new CompletableFuture<>();
    vertx.runOnContext(v -> stream.collect(Delta.joinedText()).onComplete(ar -> all.complete(ar.result())));
    assertThat(all.get(10, TimeUnit.SECONDS)).isEqualTo(numbers(300));
  }

  @Test
  @DisplayName("a malformed first batch over the bus fails the open with a 502 and answers the producer with a cancel")
  void malformed_first_batch() throws Exception {
    List<Object> bad = List.of(new JsonObject().put("tokens", new JsonArray().add("old format")),
        new JsonObject().put("d", new JsonArray().add("bare string")),
        new JsonObject().put("d", new JsonArray().add(new JsonArray().add("z").add(1))),
        new JsonObject().put("d", oversized()));
    for (Object body : bad) {
      CompletableFuture<Object> answer = new CompletableFuture<>();
      String address = "test.stream.bad." + answer.hashCode();
      vertx.eventBus().consumer(address, request -> request.replyAndRequest(body)
          .onComplete(ar -> answer.complete(ar.succeeded() ? ar.result().body() : ar.cause())));
      assertThatThrownBy(() -> open(address, 0)).as("%s", body)
          .isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(502);
            assertThat(e.getMessage()).contains("malformed");
          });
      assertThat(answer.get(5, TimeUnit.SECONDS)).isEqualTo(StreamProtocol.CANCEL);
    }
  }

  @Test
  @DisplayName("a malformed batch mid-stream fails the consumer with a 502 after the good entries, and cancels the producer")
  void malformed_later_batch() throws Exception {
    String address = "test.stream.bad-later";
    CompletableFuture<Object> answer = new CompletableFuture<>();
    vertx.eventBus().consumer(address, request -> request.replyAndRequest(StreamProtocol.batch(List.of(Delta.text("ok"))))
        .onSuccess(ack -> ack.replyAndRequest(new JsonObject().put("d", new JsonArray()
                .add(new JsonArray().add("t").add("fine")).add(new JsonArray().add("t").add(42))))
            .onComplete(ar -> answer.complete(ar.succeeded() ? ar.result().body() : ar.cause()))));
    TokenStream stream = open(address, 0);
    List<Delta> got = new ArrayList<>();
    CompletableFuture<Throwable> failed = new CompletableFuture<>();
    vertx.runOnContext(v -> stream.handler(got::add).exceptionHandler(failed::complete)
        .endHandler(end -> failed.completeExceptionally(new AssertionError("ended"))));
    assertThat(failed.get(5, TimeUnit.SECONDS)).isInstanceOfSatisfying(ApiException.class, e -> {
      assertThat(e.status()).isEqualTo(502);
      assertThat(e.getMessage()).contains("entry 1 (t): the text is not a string");
    });
    assertThat(answer.get(5, TimeUnit.SECONDS)).isEqualTo(StreamProtocol.CANCEL);
    assertThat(got).containsExactly(Delta.text("ok")); // nothing of the malformed batch
  }

  private static JsonArray oversized() {
    JsonArray entries = new JsonArray();
    for (int i = 0; i <= StreamProtocol.MAX_BATCH_ENTRIES; i++) {
      entries.add(new JsonArray().add("t").add("x"));
    }
    return entries;
  }

  /** A write stream that takes {@code room} entries, then stays full until released. */
  private static final class HeldWriteStream implements WriteStream<Delta> {
    final List<Delta> received = new ArrayList<>();
    private int room;
    private boolean released;
    private Handler<Void> drain;
    boolean ended;

    HeldWriteStream(int room) {
      this.room = room;
    }

    void release() {
      released = true;
      if (drain != null) {
        drain.handle(null);
      }
    }

    @Override
    public Future<Void> write(Delta data) {
      received.add(data);
      room--;
      return Future.succeededFuture();
    }

    @Override
    public boolean writeQueueFull() {
      return !released && room <= 0;
    }

    @Override
    public HeldWriteStream drainHandler(Handler<Void> handler) {
      this.drain = handler;
      return this;
    }

    @Override
    public Future<Void> end() {
      ended = true;
      return Future.succeededFuture();
    }

    @Override
    public HeldWriteStream exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public HeldWriteStream setWriteQueueMaxSize(int maxSize) {
      return this;
    }
  }
}
