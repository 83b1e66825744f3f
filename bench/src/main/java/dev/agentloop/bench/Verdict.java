package dev.agentloop.bench;

import io.vertx.core.json.JsonObject;

/**
 * One line of the targets table: what was measured against what, the must and aim targets, and
 * whether they were met, or why the scenario did not run.
 */
public record Verdict(String scenario, String measured, String baseline, Double value, String unit, String must,
    String aim, Status status, String note) {

  public enum Status { MET_AIM, MET, NOT_MET, NOT_RUN, FIGURE }

  /** Higher is better: met when {@code value >= must}. */
  public static Verdict atLeast(String scenario, String measured, String baseline, double value, String unit,
      double must, double aim, String note) {
    Status s = Double.isNaN(value) || value < must ? Status.NOT_MET : value >= aim ? Status.MET_AIM : Status.MET;
    return new Verdict(scenario, measured, baseline, value, unit, "≥ " + fmt(must), "≥ " + fmt(aim), s, note);
  }

  /** Lower is better: met when {@code value <= must}. */
  public static Verdict atMost(String scenario, String measured, String baseline, double value, String unit,
      double must, double aim, String note) {
    Status s = Double.isNaN(value) || value > must ? Status.NOT_MET : value <= aim ? Status.MET_AIM : Status.MET;
    return new Verdict(scenario, measured, baseline, value, unit, "≤ " + fmt(must), aim == must ? "—" : "≤ " + fmt(aim),
        s, note);
  }

  public static Verdict notRun(String scenario, String must, String aim, String reason) {
    return new Verdict(scenario, "—", "—", null, "", must, aim, Status.NOT_RUN, reason);
  }

  public static Verdict failed(String scenario, String must, String aim, String why) {
    return new Verdict(scenario, "—", "—", null, "", must, aim, Status.NOT_MET, "scenario failed: " + why);
  }

  public String statusText() {
    return switch (status) {
      case MET_AIM -> "**met** (aim met)";
      case MET -> "**met** (aim not met)";
      case NOT_MET -> "**NOT MET**";
      case NOT_RUN -> "not run: " + note;
      case FIGURE -> "figure (no target)";
    };
  }

  public String valueText() {
    return value == null ? "—" : fmt(value) + (unit.isEmpty() ? "" : " " + unit);
  }

  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    if (v == Math.rint(v) && Math.abs(v) >= 100) {
      return String.format("%,d", (long) v);
    }
    return Math.abs(v) >= 100 ? String.format("%,.0f", v) : Math.abs(v) >= 10 ? String.format("%.1f", v)
        : String.format("%.3f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
  }

  public JsonObject toJson() {
    return new JsonObject().put("scenario", scenario).put("measured", measured).put("baseline", baseline)
        .put("value", value).put("unit", unit).put("must", must).put("aim", aim).put("status", status.name())
        .put("note", note);
  }
}
