package dev.agentloop.gateway.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * What the agent derives its plan from, read in one pass over the text without regular
 * expressions, so the work is linear in the input's length whatever the client sends (a
 * backtracking pattern was quadratic on a run of digits).
 *
 * <p>An expression is what {@code [-(]*\d[\d.]*(?:\s*[-+*&#47;]\s*[(]*\d[\d.]*[)]*)+} finds, trimmed:
 * an optional run of {@code -} and {@code (}, a number, then at least one operator followed by
 * a number (each number may open with {@code (} and close with {@code )}). A word is a run of
 * letters.
 */
final class PlanText {

  private PlanText() {
  }

  /** The first {@code max} expressions of {@code text}, left to right, as the pattern above finds them. */
  static List<String> expressions(String text, int max) {
    List<String> found = new ArrayList<>();
    int n = text.length();
    int i = 0;
    while (i < n && found.size() < max) {
      char c = text.charAt(i);
      if (c != '-' && c != '(' && !digit(c)) {
        i++;
        continue;
      }
      int p = i;
      while (p < n && (text.charAt(p) == '-' || text.charAt(p) == '(')) {
        p++;
      }
      if (p >= n || !digit(text.charAt(p))) {
        i = Math.max(p, i + 1); // no start inside that run of - and ( can reach a digit either
        continue;
      }
      int numberEnd = number(text, p);
      int end = operations(text, numberEnd);
      if (end < 0) {
        i = numberEnd; // every start inside the prefix or the number fails the same way
        continue;
      }
      found.add(text.substring(i, end).trim());
      i = end;
    }
    return found;
  }

  /** The longest run of letters (the first one when several are as long), or an empty string. */
  static String longestWord(String text) {
    int bestStart = 0;
    int bestLength = 0;
    int start = -1;
    int n = text.length();
    for (int i = 0; i <= n; ) {
      int cp = i < n ? text.codePointAt(i) : -1;
      boolean letter = cp >= 0 && Character.isLetter(cp);
      if (letter && start < 0) {
        start = i;
      } else if (!letter && start >= 0) {
        if (i - start > bestLength) {
          bestStart = start;
          bestLength = i - start;
        }
        start = -1;
      }
      i += cp >= 0 ? Character.charCount(cp) : 1;
    }
    return text.substring(bestStart, bestStart + bestLength);
  }

  /** The end of the operator-and-number steps after a number ending at {@code from}, or -1 when there is none. */
  private static int operations(String text, int from) {
    int n = text.length();
    int end = -1;
    int q = from;
    while (true) {
      int r = spaces(text, q);
      if (r >= n || !operator(text.charAt(r))) {
        return end;
      }
      r = spaces(text, r + 1);
      while (r < n && text.charAt(r) == '(') {
        r++;
      }
      if (r >= n || !digit(text.charAt(r))) {
        return end;
      }
      r = number(text, r);
      while (r < n && text.charAt(r) == ')') {
        r++;
      }
      end = r;
      q = r;
    }
  }

  /** {@code \d[\d.]*} starting at a digit. */
  private static int number(String text, int at) {
    int r = at + 1;
    while (r < text.length() && (digit(text.charAt(r)) || text.charAt(r) == '.')) {
      r++;
    }
    return r;
  }

  private static int spaces(String text, int at) {
    int r = at;
    while (r < text.length() && space(text.charAt(r))) {
      r++;
    }
    return r;
  }

  private static boolean digit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean operator(char c) {
    return c == '-' || c == '+' || c == '*' || c == '/';
  }

  /** {@code \s}: space, tab, newline, vertical tab, form feed, carriage return. */
  private static boolean space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
  }
}
