package dev.agentloop.llm.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes a string that matches a simple {@code pattern} and fits {@code minLength}/{@code maxLength}:
 * a few tries with random repetition counts, the fewest, then more, padded on a side the pattern
 * does not anchor; each candidate is confirmed with the real regular expression.
 */
final class PatternStrings {

  private static final int RANDOM_TRIES = 4;
  private static final int LONG_EXTRA = 16;

  private enum Mode { RANDOM, SHORTEST, LONGER }

  private final SchemaIndex index;
  private final Budget budget;

  PatternStrings(SchemaIndex index, Budget budget) {
    this.index = index;
    this.budget = budget;
  }

  String generate(String regex, int minLength, int maxLength, SplittableRandom random, String pointer) {
    RegexNode node = index.parsed(regex, pointer);
    long cap = Math.min(maxLength, budget.limits().maxOutputChars());
    if (node.shortest() > cap) {
      throw SchemaError.at(pointer, "has a 'pattern' whose matches need at least " + node.shortest()
          + " characters, more than " + cap + " allowed");
    }
    boolean anchoredStart = regex.startsWith("^");
    boolean anchoredEnd = regex.endsWith("$") && !regex.endsWith("\\$");
    List<Mode> modes = new ArrayList<>();
    for (int i = 0; i < RANDOM_TRIES; i++) {
      modes.add(Mode.RANDOM);
    }
    modes.add(Mode.SHORTEST);
    modes.add(Mode.LONGER);
    for (Mode mode : modes) {
      StringBuilder out = new StringBuilder();
      write(node, out, mode, random, cap + 1, pointer);
      String candidate = pad(out.toString(), minLength, anchoredStart, anchoredEnd);
      int length = candidate.codePointCount(0, candidate.length());
      if (length >= minLength && length <= maxLength && index.find(regex, candidate, pointer, budget)) {
        return candidate;
      }
    }
    throw SchemaError.at(pointer, "has 'pattern' " + Keywords.quote(regex) + " and minLength " + minLength
        + "/maxLength " + (maxLength == Integer.MAX_VALUE ? "none" : maxLength)
        + ", for which the mock found no matching string");
  }

  private static String pad(String text, int minLength, boolean anchoredStart, boolean anchoredEnd) {
    int missing = minLength - text.codePointCount(0, text.length());
    if (missing <= 0 || (anchoredStart && anchoredEnd)) {
      return text;
    }
    String filler = "x".repeat(missing);
    return anchoredEnd ? filler + text : text + filler;
  }

  private void write(RegexNode node, StringBuilder out, Mode mode, SplittableRandom random, long cap, String pointer) {
    budget.step(pointer);
    if (out.length() > cap) {
      return;
    }
    switch (node) {
      case RegexNode.Literal literal -> out.appendCodePoint(literal.codePoint());
      case RegexNode.CharClass chars -> out.appendCodePoint(pick(chars, random, pointer));
      case RegexNode.Sequence sequence -> sequence.parts().forEach(part -> write(part, out, mode, random, cap, pointer));
      case RegexNode.Alternation alternation -> {
        List<RegexNode> branches = alternation.branches();
        RegexNode branch = mode == Mode.SHORTEST ? shortestOf(branches) : branches.get(random.nextInt(branches.size()));
        write(branch, out, mode, random, cap, pointer);
      }
      case RegexNode.Repeat repeat -> {
        long span = repeat.max() < 0 ? LONG_EXTRA : (long) repeat.max() - repeat.min();
        long extra = switch (mode) {
          case SHORTEST -> 0;
          case RANDOM -> random.nextLong(Math.min(span, 3) + 1);
          case LONGER -> Math.min(span, LONG_EXTRA);
        };
        long times = repeat.min() + extra;
        for (long i = 0; i < times && out.length() <= cap; i++) {
          write(repeat.node(), out, mode, random, cap, pointer);
        }
      }
      case RegexNode.Anchor anchor -> {
      }
    }
  }

  private static RegexNode shortestOf(List<RegexNode> branches) {
    RegexNode best = branches.get(0);
    for (RegexNode branch : branches) {
      if (branch.shortest() < best.shortest()) {
        best = branch;
      }
    }
    return best;
  }

  private int pick(RegexNode.CharClass chars, SplittableRandom random, String pointer) {
    if (!chars.negated()) {
      long total = 0;
      for (int[] range : chars.ranges()) {
        total += range[1] - range[0] + 1L;
      }
      if (total == 0) {
        throw SchemaError.at(pointer, "has a 'pattern' with an empty character class");
      }
      long choice = random.nextLong(total);
      for (int[] range : chars.ranges()) {
        long size = range[1] - range[0] + 1L;
        if (choice < size) {
          return (int) (range[0] + choice);
        }
        choice -= size;
      }
    }
    int start = random.nextInt(95);
    for (int i = 0; i < 95 + 0x17F; i++) {
      int candidate = i < 95 ? ' ' + (start + i) % 95 : 0xA0 + i - 95;
      if (chars.contains(candidate)) {
        return candidate;
      }
    }
    throw SchemaError.at(pointer, "has a 'pattern' with a negated class that excludes every printable character");
  }
}
