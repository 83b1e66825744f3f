package dev.agentloop.llm.schema;

import java.util.List;

/** The simple regular expressions the mock can write strings for: literals, classes, groups, alternation, repetition. */
sealed interface RegexNode {

  /** Fewest characters a match needs, saturating at {@link Long#MAX_VALUE}. */
  long shortest();

  record Literal(int codePoint) implements RegexNode {
    public long shortest() {
      return 1;
    }
  }

  /** Code-point ranges {@code [from, to]}, or everything printable outside them when negated. */
  record CharClass(List<int[]> ranges, boolean negated) implements RegexNode {
    public long shortest() {
      return 1;
    }

    boolean contains(int codePoint) {
      for (int[] range : ranges) {
        if (codePoint >= range[0] && codePoint <= range[1]) {
          return !negated;
        }
      }
      return negated;
    }
  }

  record Sequence(List<RegexNode> parts) implements RegexNode {
    public long shortest() {
      long total = 0;
      for (RegexNode part : parts) {
        total = saturatedAdd(total, part.shortest());
      }
      return total;
    }
  }

  record Alternation(List<RegexNode> branches) implements RegexNode {
    public long shortest() {
      long best = Long.MAX_VALUE;
      for (RegexNode branch : branches) {
        best = Math.min(best, branch.shortest());
      }
      return best;
    }
  }

  /** {@code max} is -1 when unbounded. */
  record Repeat(RegexNode node, int min, int max) implements RegexNode {
    public long shortest() {
      long each = node.shortest();
      return each == 0 || min == 0 ? 0 : each > Long.MAX_VALUE / min ? Long.MAX_VALUE : each * min;
    }
  }

  /** {@code ^} or {@code $}: no characters. */
  record Anchor(boolean start) implements RegexNode {
    public long shortest() {
      return 0;
    }
  }

  private static long saturatedAdd(long a, long b) {
    return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b;
  }
}
