package dev.agentloop.gateway.chain;

import org.assertj.core.api.Assertions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.config.ConfigException;
import dev.agentloop.contract.config.Settings;
import dev.agentloop.contract.config.ConfigLoader;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

  private static CircuitBreaker breaker(int threshold, long resetMs) {
    return new CircuitBreaker(new ResilienceConfig.Breaker(true, threshold, resetMs, 60_000));
  }

  @Test
  @DisplayName("the breaker opens only after the threshold of consecutive failures; a success resets the count")
  void opens_after_consecutive_failures() {
    CircuitBreaker breaker = breaker(3, 60_000);
    breaker.onFailure();
    breaker.onFailure();
    breaker.onSuccess();
    breaker.onFailure();
    breaker.onFailure();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(breaker.tryAcquire()).isTrue();
    breaker.onFailure();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(breaker.tryAcquire()).isFalse();
    assertThat(breaker.retryAfterMs()).isPositive();
  }

  @Test
  @DisplayName("after the reset time exactly one probe passes; its failure reopens, its success closes")
  void half_open_lets_one_probe_through() {
    CircuitBreaker breaker = breaker(1, 1);
    breaker.onFailure();
    long deadline = System.nanoTime() + 5_000_000_000L;
    boolean probe = false;
    while (!probe && System.nanoTime() < deadline) {
      probe = breaker.tryAcquire();
    }
    assertThat(probe).isTrue();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    assertThat(breaker.tryAcquire()).as("a second caller while the probe runs").isFalse();
    breaker.onFailure();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    probe = false;
    while (!probe && System.nanoTime() < deadline) {
      probe = breaker.tryAcquire();
    }
    assertThat(probe).isTrue();
    breaker.onSuccess();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(breaker.state().gauge()).isZero();
  }

  @Test
  @DisplayName("a disabled breaker never refuses")
  void disabled_breaker_never_opens() {
    CircuitBreaker breaker = new CircuitBreaker(new ResilienceConfig.Breaker(false, 1, 60_000, 60_000));
    breaker.onFailure();
    breaker.onFailure();
    assertThat(breaker.tryAcquire()).isTrue();
  }

  @Test
  @DisplayName("backoff grows exponentially with jitter and never exceeds the cap")
  void backoff_is_bounded_and_jittered() {
    ResilienceConfig.Retries retries = new ResilienceConfig.Retries(10, 100, 1_000, 10_000);
    for (int i = 0; i < 200; i++) {
      assertThat(ResilientChatService.backoff(retries, 1)).isBetween(50L, 100L);
      assertThat(ResilientChatService.backoff(retries, 3)).isBetween(200L, 400L);
      assertThat(ResilientChatService.backoff(retries, 9)).isBetween(500L, 1_000L);
      assertThat(ResilientChatService.backoff(retries, 60)).isBetween(500L, 1_000L);
    }
  }

  @Test
  @DisplayName("only the retryable reasons are retried (the model's 503, no instance, a lost connection or member), never an open breaker, a timeout or a client error")
  void retry_reasons() {
    assertThat(ResilientChatService.retryReason(ApiException.from(
        new ReplyException(ReplyFailure.NO_HANDLERS, "none"), "llm-service"))).isEqualTo("no_handlers");
    assertThat(ResilientChatService.retryReason(ApiException.from(
        new ReplyException(ReplyFailure.ERROR, "x"), "llm-service"))).isEqualTo("connection");
    assertThat(ResilientChatService.retryReason(ApiException.modelUnavailable("The model `m` failed to answer")))
        .isEqualTo("upstream_503");
    assertThat(ResilientChatService.retryReason(ApiException.timeout("late").withReason(ApiException.Reason.MEMBER_LOST)))
        .isEqualTo("member_lost");
    assertThat(ResilientChatService.retryReason(ResilientChatService.circuitOpen("m", 10))).isNull();
    assertThat(ResilientChatService.retryReason(ApiException.timeout("late"))).isNull();
    assertThat(ResilientChatService.retryReason(ApiException.modelNotFound("m"))).isNull();
    // the text decides nothing: a 503 that names no retryable reason is not retried, whatever it says
    assertThat(ResilientChatService.retryReason(ApiException.unavailable("No llm-service instance is available.")))
        .isNull();
  }

  @Test
  @DisplayName("per-model settings override the defaults, and bad ones fail with the key's name")
  void config_overrides_and_errors() {
    JsonObject root = new JsonObject().put("gateway", new JsonObject()
        .put("resilience", new JsonObject().put("retries", new JsonObject().put("max_attempts", 4)))
        .put("models", new JsonObject().put("mock-flaky", new JsonObject()
            .put("fallbacks", new JsonArray().add("mock-fast"))
            .put("breaker", new JsonObject().put("failure_threshold", 2)))));
    ResilienceConfig config = resilience(root);
    assertThat(config.policy("mock-flaky").fallbacks()).containsExactly("mock-fast");
    assertThat(config.policy("mock-flaky").retries().maxAttempts()).isEqualTo(4);
    assertThat(config.policy("mock-flaky").breaker().failureThreshold()).isEqualTo(2);
    assertThat(config.policy("other").fallbacks()).isEmpty();
    JsonObject bad = new JsonObject().put("gateway", new JsonObject().put("models", new JsonObject()
        .put("m", new JsonObject().put("retries", new JsonObject().put("max_attempts", 0)))));
    assertThatThrownBy(() -> resilience(bad)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("gateway.models.m.retries.max_attempts");
    JsonObject self = new JsonObject().put("gateway", new JsonObject().put("models", new JsonObject()
        .put("m", new JsonObject().put("fallbacks", new JsonArray().add("m")))));
    assertThatThrownBy(() -> resilience(self)).hasMessageContaining("gateway.models.m.fallbacks");
  }

  @Test
  @DisplayName("a neutral outcome (an instance's fault) counts nothing and frees a half-open probe")
  void neutral_outcomes() {
    CircuitBreaker breaker = new CircuitBreaker(new ResilienceConfig.Breaker(true, 2, 1, 60_000));
    breaker.onFailure();
    breaker.onNeutral();
    breaker.onNeutral();
    Assertions.assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    breaker.onFailure();
    Assertions.assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    long until = System.nanoTime() + 2_000_000_000L;
    while (!breaker.tryAcquire()) {
      Assertions.assertThat(System.nanoTime()).isLessThan(until);
      Thread.onSpinWait(); // the reset time is 1 ms
    }
    Assertions.assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    breaker.onNeutral();
    Assertions.assertThat(breaker.tryAcquire()).as("the next call may probe").isTrue();
  }

  @Test
  @DisplayName("a probe that never reports back holds the half-open slot only until its deadline; then another may go")
  void half_open_probe_has_a_deadline() {
    long[] now = {0};
    CircuitBreaker breaker = new CircuitBreaker(new ResilienceConfig.Breaker(true, 1, 1_000, 3_000), () -> now[0]);
    breaker.onFailure();
    now[0] += 1_000_000_000L;
    assertThat(breaker.tryAcquire()).as("the first probe").isTrue();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    now[0] += 2_999_000_000L;
    assertThat(breaker.tryAcquire()).as("while the probe may still answer").isFalse();
    now[0] += 2_000_000L;
    assertThat(breaker.tryAcquire()).as("the probe's deadline passed: a new probe").isTrue();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    assertThat(breaker.tryAcquire()).as("the new probe holds the slot").isFalse();
    breaker.onSuccess();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  /** {@code root} merged over the defaults, as the configuration is read. */
  private static ResilienceConfig resilience(JsonObject root) {
    return ResilienceConfig.from(Settings.root(ConfigLoader.merge(ConfigLoader.defaults(), root)).section("gateway"));
  }
}
