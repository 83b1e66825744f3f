package dev.agentloop.front.guards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentloop.contract.ApiException;
import dev.agentloop.front.guards.Admission.Kind;
import dev.agentloop.contract.config.ConfigException;
import dev.agentloop.contract.config.ConfigLoader;
import dev.agentloop.contract.config.Settings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AdmissionTest {

  private final MeterRegistry registry = new SimpleMeterRegistry();

  private Admission admission(int perClient, int global) {
    JsonObject caps = new JsonObject();
    for (Kind kind : Kind.values()) {
      caps.put(kind.key(), new JsonObject().put("per_client", perClient).put("global", global));
    }
    JsonObject root = ConfigLoader.merge(ConfigLoader.defaults(),
        new JsonObject().put("gateway", new JsonObject().put("admission", caps.put("retry_after_s", 2))));
    return new Admission(Admission.Config.from(gateway(root)), registry);
  }

  private double rejected(Kind kind, String scope) {
    return registry.get("agentloop_admission_rejected").tags("kind", kind.key(), "scope", scope).counter().count();
  }

  @Test
  @DisplayName("past the per-client cap a client gets a 429 with a Retry-After hint; other clients do not")
  void per_client_cap() {
    Admission admission = admission(2, 0);
    admission.admit(Kind.JOB, "a");
    admission.admit(Kind.JOB, "a");
    assertThatThrownBy(() -> admission.admit(Kind.JOB, "a")).isInstanceOfSatisfying(ApiException.class, e -> {
      assertThat(e.status()).isEqualTo(429);
      assertThat(e.code()).isEqualTo("rate_limit_exceeded");
      assertThat(e.retryAfterSeconds()).isEqualTo(2);
      assertThat(e.getMessage()).contains("at most 2 per client");
    });
    admission.admit(Kind.JOB, "b");
    admission.admit(Kind.STREAM, "a"); // each kind has its own count
    assertThat(rejected(Kind.JOB, "client")).isEqualTo(1);
    assertThat(admission.inUse(Kind.JOB)).isEqualTo(3);
  }

  @Test
  @DisplayName("past the global cap everyone gets a 429, and a refused admission holds nothing")
  void global_cap() {
    Admission admission = admission(0, 2);
    Admission.Permit a = admission.admit(Kind.FANOUT, "a");
    admission.admit(Kind.FANOUT, "b");
    assertThatThrownBy(() -> admission.admit(Kind.FANOUT, "c")).isInstanceOfSatisfying(ApiException.class,
        e -> assertThat(e.getMessage()).contains("at most 2 in all"));
    assertThat(rejected(Kind.FANOUT, "global")).isEqualTo(1);
    assertThat(admission.inUse(Kind.FANOUT)).isEqualTo(2);
    a.release();
    admission.admit(Kind.FANOUT, "c");
  }

  @Test
  @DisplayName("a refusal holds nothing: the per-client cap takes no global slot, the global cap gives the client's back")
  void refusals_hold_nothing() {
    Admission admission = admission(1, 3);
    admission.admit(Kind.AGENT_RUN, "a");
    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(() -> admission.admit(Kind.AGENT_RUN, "a")).isInstanceOf(ApiException.class);
    }
    assertThat(admission.inUse(Kind.AGENT_RUN)).isEqualTo(1);
    admission.admit(Kind.AGENT_RUN, "b");
    admission.admit(Kind.AGENT_RUN, "c");
    assertThatThrownBy(() -> admission.admit(Kind.AGENT_RUN, "d")).isInstanceOfSatisfying(ApiException.class,
        e -> assertThat(e.getMessage()).contains("in all"));
    assertThat(admission.clientsTracked(Kind.AGENT_RUN)).isEqualTo(3);
  }

  @Test
  @DisplayName("release is idempotent, and a client's entry is dropped when its count reaches zero")
  void release_is_idempotent_and_entries_expire() {
    Admission admission = admission(1, 0);
    List<Admission.Permit> permits = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      permits.add(admission.admit(Kind.STREAM, "client-" + i));
    }
    assertThat(admission.clientsTracked(Kind.STREAM)).isEqualTo(10_000);
    permits.forEach(Admission.Permit::release);
    permits.forEach(Admission.Permit::release);
    assertThat(admission.inUse(Kind.STREAM)).isZero();
    assertThat(admission.clientsTracked(Kind.STREAM)).isZero();
    admission.admit(Kind.STREAM, "client-1");
  }

  @Test
  @DisplayName("with caps off nothing is counted per client")
  void caps_off() {
    Admission admission = admission(0, 0);
    for (int i = 0; i < 100; i++) {
      admission.admit(Kind.STREAM, "client-" + i);
    }
    assertThat(admission.clientsTracked(Kind.STREAM)).isZero();
    assertThat(admission.inUse(Kind.STREAM)).isEqualTo(100);
  }

  @Test
  @DisplayName("threads admitting and releasing at once never pass the caps and leave nothing behind")
  void concurrent_use() throws Exception {
    Admission admission = admission(3, 5);
    AtomicInteger holding = new AtomicInteger();
    AtomicInteger worst = new AtomicInteger();
    AtomicInteger admitted = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      String client = "client-" + (t % 3);
      threads.add(Thread.ofPlatform().start(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 20_000; i++) {
          try {
            Admission.Permit permit = admission.admit(Kind.JOB, client);
            worst.accumulateAndGet(holding.incrementAndGet(), Math::max);
            admitted.incrementAndGet();
            holding.decrementAndGet();
            permit.release();
          } catch (ApiException refused) {
            assertThat(refused.status()).isEqualTo(429);
          }
        }
      }));
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(admitted.get()).isPositive();
    assertThat(worst.get()).isLessThanOrEqualTo(5);
    assertThat(admission.inUse(Kind.JOB)).isZero();
    assertThat(admission.clientsTracked(Kind.JOB)).isZero();
  }

  @Test
  @DisplayName("the stream limit's old key fails the start with a line naming the new one; bad caps name their key")
  void configuration() {
    JsonObject old = ConfigLoader.merge(ConfigLoader.defaults(), new JsonObject().put("gateway",
        new JsonObject().put("rate_limits", new JsonObject().put("concurrent_streams", 2))));
    assertThatThrownBy(() -> Admission.Config.from(gateway(old))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("gateway.rate_limits.concurrent_streams")
        .hasMessageContaining("gateway.admission.stream.per_client");
    JsonObject negative = ConfigLoader.merge(ConfigLoader.defaults(), new JsonObject().put("gateway",
        new JsonObject().put("admission", new JsonObject().put("job", new JsonObject().put("global", -1)))));
    assertThatThrownBy(() -> Admission.Config.from(gateway(negative))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("gateway.admission.job.global");
    Admission.Config defaults = Admission.Config.from(gateway(ConfigLoader.defaults()));
    assertThat(defaults.cap(Kind.JOB).global()).isPositive();
  }

  private static Settings gateway(JsonObject root) {
    return Settings.root(root).section("gateway");
  }
}
