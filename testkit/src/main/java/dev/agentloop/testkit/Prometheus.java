package dev.agentloop.testkit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads samples out of a Prometheus text exposition, strictly enough for assertions (a line that
 * is not a sample, a comment or blank is an error), and diffs histograms between two scrapes.
 */
public final class Prometheus {

  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)( -?\\d+)?$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** One sample line: metric name, labels, value. */
  public record Sample(String name, Map<String, String> labels, double value) {
  }

  /** A cumulative histogram (summed over label sets), keyed by upper bound in the series' unit. */
  public record Buckets(TreeMap<Double, Double> cumulative) {

    public long total() {
      return cumulative.isEmpty() ? 0 : Math.round(cumulative.lastEntry().getValue());
    }

    /** The smallest bucket bound holding at least {@code q} of the samples (NaN when empty). */
    public double quantileUpperBound(double q) {
      double total = total();
      if (total == 0) {
        return Double.NaN;
      }
      for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
        if (e.getValue() >= q * total) {
          return e.getKey();
        }
      }
      return Double.POSITIVE_INFINITY;
    }
  }

  private final List<Sample> samples;

  private Prometheus(List<Sample> samples) {
    this.samples = samples;
  }

  public static Prometheus parse(String text) {
    List<Sample> samples = text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).map(line -> {
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
      return new Sample(m.group(1), labels, number(m.group(4)));
    }).toList();
    return new Prometheus(samples);
  }

  private static double number(String text) {
    return switch (text) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(text);
    };
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

  /** The {@code le} buckets of the series {@code bucketSeries} (a {@code _bucket} name), summed over the matching label sets. */
  public Buckets buckets(String bucketSeries, Map<String, String> labels) {
    TreeMap<Double, Double> out = new TreeMap<>();
    for (Sample s : find(bucketSeries, labels)) {
      String le = s.labels().get("le");
      if (le != null) {
        out.merge(number(le), s.value(), Double::sum);
      }
    }
    return new Buckets(out);
  }

  /** What the histogram {@code bucketSeries} gained from the scrape {@code before} to the scrape {@code after}. */
  public static Buckets bucketsDelta(String before, String after, String bucketSeries, Map<String, String> labels) {
    TreeMap<Double, Double> b = parse(before).buckets(bucketSeries, labels).cumulative();
    TreeMap<Double, Double> d = new TreeMap<>();
    parse(after).buckets(bucketSeries, labels).cumulative().forEach((le, v) -> d.put(le, v - b.getOrDefault(le, 0.0)));
    return new Buckets(d);
  }
}
