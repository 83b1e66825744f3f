package dev.agentloop.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.contract.ApiException.Reason;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The typed failure reason travels over the event bus with the error, and never into the HTTP body. */
class ApiExceptionReasonTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** Fails a bus request with {@code error} on the far side and maps what comes back, as a caller does. */
  private ApiException acrossTheBus(ApiException error) throws Exception {
    MessageConsumer<Object> consumer = vertx.eventBus().consumer("test.fail", error::failReply);
    consumer.completion().await(5, TimeUnit.SECONDS);
    try {
      vertx.eventBus().request("test.fail", new JsonObject()).await(5, TimeUnit.SECONDS);
    } catch (Exception failure) {
      return ApiException.from(failure, "test-service");
    } finally {
      consumer.unregister().await(5, TimeUnit.SECONDS);
    }
    throw new AssertionError("the request did not fail");
  }

  @Test
  @DisplayName("every reason survives the bus, with status, body and Retry-After unchanged")
  void every_reason_survives_the_bus() throws Exception {
    for (Reason reason : Reason.values()) {
      ApiException sent = new ApiException(503, "service_unavailable", "service_unavailable", null,
          "Down (" + reason + ").", reason).retryAfter(7);
      ApiException received = acrossTheBus(sent);
      assertThat(received.reason()).isEqualTo(reason);
      assertThat(received.status()).isEqualTo(503);
      assertThat(received.retryAfterSeconds()).isEqualTo(7);
      assertThat(received.toJson()).isEqualTo(sent.toJson());
    }
  }

  @Test
  @DisplayName("the HTTP body stays OpenAI's error object byte for byte: the reason is never in it")
  void the_http_body_never_shows_the_reason() throws Exception {
    ApiException received = acrossTheBus(ApiException.modelUnavailable("The model `m` failed to answer."));
    assertThat(received.reason()).isEqualTo(Reason.MODEL_UNAVAILABLE);
    assertThat(received.toJson().encode()).isEqualTo("{\"error\":{\"message\":\"The model `m` failed to answer.\","
        + "\"type\":\"service_unavailable\",\"param\":null,\"code\":\"service_unavailable\"}}");
    assertThat(received.busJson().getString("reason")).isEqualTo("MODEL_UNAVAILABLE");
  }

  @Test
  @DisplayName("the bus's own failures get their reasons: no handler, timeout; a failure without a reason gets its status's")
  void bus_failures_are_typed() throws Exception {
    try {
      vertx.eventBus().request("test.nobody", new JsonObject()).await(5, TimeUnit.SECONDS);
      throw new AssertionError("no handler, yet an answer");
    } catch (Exception failure) {
      assertThat(ApiException.from(failure, "llm-service").reason()).isEqualTo(Reason.NO_INSTANCE);
    }
    vertx.eventBus().consumer("test.silent", message -> { }).completion().await(5, TimeUnit.SECONDS);
    try {
      vertx.eventBus().request("test.silent", new JsonObject(), new DeliveryOptions().setSendTimeout(50))
          .await(5, TimeUnit.SECONDS);
      throw new AssertionError("a silent handler, yet an answer");
    } catch (Exception failure) {
      assertThat(ApiException.from(failure, "llm-service").reason()).isEqualTo(Reason.TIMEOUT);
    }
    vertx.eventBus().<JsonObject>consumer("test.foreign", message -> message.fail(503,
        "{\"message\":\"x\",\"type\":\"api_error\",\"reason\":\"NO_SUCH_REASON\"}")).completion().await(5, TimeUnit.SECONDS);
    try {
      vertx.eventBus().request("test.foreign", new JsonObject()).await(5, TimeUnit.SECONDS);
      throw new AssertionError("a failing handler, yet an answer");
    } catch (Exception failure) {
      ApiException error = ApiException.from(failure, "llm-service");
      assertThat(error.reason()).isEqualTo(Reason.UNAVAILABLE);
      assertThat(error.reason().retryable()).isFalse();
    }
  }
}
