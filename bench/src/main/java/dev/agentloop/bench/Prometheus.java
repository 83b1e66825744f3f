package dev.agentloop.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough of the Prometheus text format to diff two scrapes of counters and histograms. */
final class Prometheus {

  private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");

  private Prometheus() {
  }

  /** A cumulative histogram (summed over all label sets), keyed by upper bound in the series' unit. */
  record Buckets(TreeMap<Double, Double> cumulative) {

    long total() {
      return cumulative.isEmpty() ? 0 : Math.round(cumulative.lastEntry().getValue());
    }

    /** The smallest bucket bound holding at least {@code q} of the samples (NaN when empty). */
    double quantileUpperBound(double q) {
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

  static Buckets bucketsDelta(String before, String after, String bucketSeries) {
    return bucketsDelta(before, after, bucketSeries, "");
  }

  /** As above, over the samples whose line contains {@code labelFilter} (e.g. {@code front="gateway"}). */
  static Buckets bucketsDelta(String before, String after, String bucketSeries, String labelFilter) {
    TreeMap<Double, Double> b = buckets(before, bucketSeries, labelFilter);
    TreeMap<Double, Double> a = buckets(after, bucketSeries, labelFilter);
    TreeMap<Double, Double> d = new TreeMap<>();
    a.forEach((le, v) -> d.put(le, v - b.getOrDefault(le, 0.0)));
    return new Buckets(d);
  }

  private static TreeMap<Double, Double> buckets(String text, String series, String labelFilter) {
    TreeMap<Double, Double> out = new TreeMap<>();
    for (String line : text.split("\n")) {
      if (!line.startsWith(series + "{") || !line.contains(labelFilter)) {
        continue;
      }
      Matcher m = LE.matcher(line);
      if (!m.find()) {
        continue;
      }
      double le = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
      out.merge(le, value(line), Double::sum);
    }
    return out;
  }

  /** Sum of every sample of the series (any labels); 0 when absent. */
  static double sum(String text, String series) {
    double total = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith(series + "{") || line.startsWith(series + " ")) {
        total += value(line);
      }
    }
    return total;
  }

  private static double value(String line) {
    String[] parts = line.trim().split("\\s+");
    // "name{labels} value [timestamp]": labels never contain spaces in our series.
    return Double.parseDouble(parts[line.contains("}") ? indexAfterLabels(parts) : 1]);
  }

  private static int indexAfterLabels(String[] parts) {
    for (int i = 0; i < parts.length; i++) {
      if (parts[i].endsWith("}")) {
        return i + 1;
      }
    }
    return 1;
  }
}
