package dev.agentloop.it.support;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads samples out of a Prometheus text exposition, strictly enough for assertions. */
public final class Prometheus {

  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** One sample line: metric name, labels, value. */
  public record Sample(String name, Map<String, String> labels, double value) {
  }

  private final List<Sample> samples;

  private Prometheus(List<Sample> samples) {
    this.samples = samples;
  }

  public static Prometheus parse(String text) {
    List<Sample> samples = text.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).map(line -> {
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) {
        throw new IllegalArgumentException("not a Prometheus sample line: " + line);
      }
      Map<String, String> labels = new HashMap<>();
      if (m.group(3) != null) {
        Matcher l = LABEL.matcher(m.group(3));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
      }
      return new Sample(m.group(1), labels, Double.parseDouble(m.group(4)));
    }).toList();
    return new Prometheus(samples);
  }

  /** The samples of {@code name} whose labels include every pair of {@code labels}. */
  public List<Sample> find(String name, Map<String, String> labels) {
    return samples.stream().filter(s -> s.name().equals(name)
        && labels.entrySet().stream().allMatch(e -> e.getValue().equals(s.labels().get(e.getKey())))).toList();
  }

  /** The sum of the matching samples; 0 when there are none (a counter not yet created). */
  public double sum(String name, Map<String, String> labels) {
    return find(name, labels).stream().mapToDouble(Sample::value).sum();
  }

  public boolean has(String name, Map<String, String> labels) {
    return !find(name, labels).isEmpty();
  }
}
