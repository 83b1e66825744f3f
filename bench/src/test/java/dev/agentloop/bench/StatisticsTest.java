package dev.agentloop.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StatisticsTest {

  private static final long MS = 1_000_000;

  @Test
  void open_loop_latency_counts_from_the_intended_send_time_not_the_actual_one() {
    OpenLoopSchedule schedule = new OpenLoopSchedule(1_000 * MS, 100); // one request every 10 ms
    LatencyStats stats = new LatencyStats();
    // The sender stalled: request 0 (due at 1000 ms) left at 1050 ms and took 2 ms to answer.
    long intended = schedule.intendedAt(0);
    long answered = 1_052 * MS;
    stats.recordFromIntended(intended, answered);
    assertThat(stats.percentileMs(50)).isCloseTo(52.0, within(0.1));
  }

  @Test
  void the_schedule_spaces_requests_by_the_rate_and_counts_what_is_due() {
    OpenLoopSchedule schedule = new OpenLoopSchedule(0, 200); // every 5 ms
    assertThat(schedule.intendedAt(0)).isZero();
    assertThat(schedule.intendedAt(3)).isEqualTo(15 * MS);
    assertThat(schedule.dueBy(-1)).isZero();
    assertThat(schedule.dueBy(0)).isEqualTo(1);
    assertThat(schedule.dueBy(15 * MS - 1)).isEqualTo(3);
    assertThat(schedule.dueBy(15 * MS)).isEqualTo(4);
    assertThat(schedule.dueBy(1_000 * MS)).isEqualTo(201);
  }

  @Test
  void a_fractional_rate_still_schedules_every_request_exactly_once() {
    OpenLoopSchedule schedule = new OpenLoopSchedule(7, 3.3);
    long previousDue = 0;
    for (long now = 0; now < 5_000 * MS; now += 7 * MS) {
      long due = schedule.dueBy(now);
      assertThat(due).isGreaterThanOrEqualTo(previousDue);
      for (long i = previousDue; i < due; i++) {
        assertThat(schedule.intendedAt(i)).isLessThanOrEqualTo(now);
      }
      assertThat(schedule.intendedAt(due)).isGreaterThan(now);
      previousDue = due;
    }
  }

  @Test
  void gap_distortion_is_observed_minus_configured_and_counts_early_and_late_gaps() {
    GapStats gaps = new GapStats(1_000 * MS);
    assertThat(gaps.recordGap(1_003 * MS)).isEqualTo(3 * MS);
    assertThat(gaps.recordGap(998 * MS)).isEqualTo(-2 * MS);
    assertThat(gaps.recordGap(1_000 * MS)).isZero();
    assertThat(gaps.count()).isEqualTo(3);
    assertThat(gaps.late()).isEqualTo(1);
    assertThat(gaps.early()).isEqualTo(1);
    assertThat(gaps.distortionMs(100)).isCloseTo(3.0, within(0.01));
    assertThat(gaps.distortionMs(50)).isCloseTo(2.0, within(0.01));
  }

  @Test
  void two_tokens_arriving_together_after_a_stall_show_up_as_a_full_gap_of_distortion() {
    GapStats gaps = new GapStats(1_000 * MS);
    gaps.recordGap(2_000 * MS); // token late by a whole gap
    gaps.recordGap(0); // the next one arrived in the same read
    assertThat(gaps.distortionMs(50)).isCloseTo(1_000.0, within(1.0));
    assertThat(gaps.distortionMs(100)).isCloseTo(1_000.0, within(1.0));
  }

  @Test
  void only_chunks_with_content_count_as_tokens() {
    assertThat(SseLoad.isToken("{\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}")).isFalse();
    assertThat(SseLoad.isToken("{\"choices\":[{\"delta\":{\"content\":\" loop\"}}]}")).isTrue();
    assertThat(SseLoad.isToken("{\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}")).isFalse();
    assertThat(SseLoad.isToken("{\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":null}}]}")).isFalse();
    assertThat(SseLoad.isToken("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\","
        + "\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]}}]}")).isTrue();
    assertThat(SseLoad.isToken("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,"
        + "\"function\":{\"arguments\":\"{\\\"\"}}]}}]}")).isTrue();
    assertThat(SseLoad.isToken("{\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}")).isFalse();
    assertThat(SseLoad.isToken("{\"choices\":[],\"usage\":{\"total_tokens\":3}}")).isFalse();
  }

  @Test
  void the_throughput_ratio_is_the_median_of_the_per_round_ratios() {
    // Round 2 of the baseline was hit by a burst of other work; the median ignores it.
    assertThat(Loads.medianRatio(new double[] {500, 450, 520}, new double[] {1000, 300, 1040})).isEqualTo(0.5);
    assertThat(Loads.medianRatio(new double[] {1, 3}, new double[] {2, 2})).isEqualTo(1.0);
  }

  @Test
  void verdicts_compare_against_must_and_aim() {
    assertThat(Verdict.atLeast("x", "", "", 0.45, "", 0.40, 0.50, "").status()).isEqualTo(Verdict.Status.MET);
    assertThat(Verdict.atLeast("x", "", "", 0.55, "", 0.40, 0.50, "").status()).isEqualTo(Verdict.Status.MET_AIM);
    assertThat(Verdict.atLeast("x", "", "", 0.30, "", 0.40, 0.50, "").status()).isEqualTo(Verdict.Status.NOT_MET);
    assertThat(Verdict.atMost("x", "", "", 0.4, "ms", 0.5, 0.3, "").status()).isEqualTo(Verdict.Status.MET);
    assertThat(Verdict.atMost("x", "", "", Double.NaN, "ms", 0.5, 0.3, "").status()).isEqualTo(Verdict.Status.NOT_MET);
  }
}
