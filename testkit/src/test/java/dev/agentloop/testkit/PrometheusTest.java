package dev.agentloop.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTest {

  @Test
  void prometheus_histogram_deltas_give_the_bucket_that_holds_the_quantile() {
    String before = """
        # TYPE agentloop_eventloop_lag_seconds histogram
        agentloop_eventloop_lag_seconds_bucket{thread="a",le="0.001"} 10
        agentloop_eventloop_lag_seconds_bucket{thread="a",le="0.005"} 10
        agentloop_eventloop_lag_seconds_bucket{thread="a",le="+Inf"} 10
        agentloop_blocked_thread_events_total{thread="a"} 1.0
        """;
    String after = """
        agentloop_eventloop_lag_seconds_bucket{thread="a",le="0.001"} 900
        agentloop_eventloop_lag_seconds_bucket{thread="a",le="0.005"} 1005
        agentloop_eventloop_lag_seconds_bucket{thread="a",le="+Inf"} 1010
        agentloop_eventloop_lag_seconds_bucket{thread="b",le="0.001"} 0
        agentloop_eventloop_lag_seconds_bucket{thread="b",le="0.005"} 0
        agentloop_eventloop_lag_seconds_bucket{thread="b",le="+Inf"} 0
        agentloop_blocked_thread_events_total{thread="a"} 3.0
        """;
    Prometheus.Buckets lag = Prometheus.bucketsDelta(before, after, "agentloop_eventloop_lag_seconds_bucket", Map.of());
    assertThat(lag.total()).isEqualTo(1000);
    assertThat(lag.quantileUpperBound(0.5)).isEqualTo(0.001);
    assertThat(lag.quantileUpperBound(0.99)).isEqualTo(0.005);
    assertThat(lag.quantileUpperBound(0.999)).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(Prometheus.parse(after).sum("agentloop_blocked_thread_events_total", Map.of())
        - Prometheus.parse(before).sum("agentloop_blocked_thread_events_total", Map.of())).isEqualTo(2.0);
  }

  @Test
  void samples_are_found_by_name_and_a_subset_of_labels() {
    Prometheus scrape = Prometheus.parse("""
        # HELP requests_total Requests.
        requests_total{route="chat",status="200"} 3.0
        requests_total{route="chat",status="500"} 1.0
        requests_total{route="models",status="200"} 2.0
        gauge_inf +Inf
        """);
    assertThat(scrape.sum("requests_total", Map.of("route", "chat"))).isEqualTo(4.0);
    assertThat(scrape.sum("requests_total", Map.of())).isEqualTo(6.0);
    assertThat(scrape.has("requests_total", Map.of("route", "embeddings"))).isFalse();
    assertThat(scrape.sum("gauge_inf", Map.of())).isEqualTo(Double.POSITIVE_INFINITY);
    assertThatThrownBy(() -> Prometheus.parse("requests_total{route=\"chat\"}")).isInstanceOf(IllegalArgumentException.class);
  }
}
