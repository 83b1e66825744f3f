package dev.agentloop.llm.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Parses the simple subset of regular expressions the mock can generate strings for, and names the
 * construct it refuses (lookarounds, back-references, word boundaries, inline flags, nested classes).
 */
final class RegexParser {

  private static final int MAX_NESTING = 32;
  private static final int MAX_LENGTH = 2048;
  private static final Pattern BOUNDS = Pattern.compile("\\d{1,9}(,\\d{0,9})?");
  private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]+");

  private final String regex;
  private final String pointer;
  private int at;
  private int nesting;

  private RegexParser(String regex, String pointer) {
    this.regex = regex;
    this.pointer = pointer;
  }

  static RegexNode parse(String regex, String pointer) {
    if (regex.length() > MAX_LENGTH) {
      throw SchemaError.at(pointer, "has a 'pattern' longer than " + MAX_LENGTH + " characters");
    }
    RegexParser parser = new RegexParser(regex, pointer);
    RegexNode node = parser.alternation();
    if (parser.at < regex.length()) {
      throw parser.refuse("an unbalanced ')'");
    }
    return node;
  }

  private SchemaError refuse(String construct) {
    return SchemaError.at(pointer, "has 'pattern' " + Keywords.quote(regex) + ", which uses " + construct
        + "; the mock generates strings only for simple patterns (literals, classes, groups, |, quantifiers)");
  }

  private boolean more() {
    return at < regex.length();
  }

  private char peek() {
    return regex.charAt(at);
  }

  private RegexNode alternation() {
    if (++nesting > MAX_NESTING) {
      throw refuse("more than " + MAX_NESTING + " nested groups");
    }
    List<RegexNode> branches = new ArrayList<>();
    branches.add(sequence());
    while (more() && peek() == '|') {
      at++;
      branches.add(sequence());
    }
    nesting--;
    return branches.size() == 1 ? branches.get(0) : new RegexNode.Alternation(branches);
  }

  private RegexNode sequence() {
    List<RegexNode> parts = new ArrayList<>();
    while (more() && peek() != '|' && peek() != ')') {
      RegexNode atom = atom();
      parts.add(quantified(atom));
    }
    return parts.size() == 1 ? parts.get(0) : new RegexNode.Sequence(parts);
  }

  private RegexNode atom() {
    char c = regex.charAt(at++);
    return switch (c) {
      case '(' -> group();
      case '[' -> charClass();
      case '.' -> new RegexNode.CharClass(List.of(new int[] {'\n', '\n'}, new int[] {'\r', '\r'}), true);
      case '^' -> new RegexNode.Anchor(true);
      case '$' -> new RegexNode.Anchor(false);
      case '\\' -> escape(false);
      case '*', '+', '?', '{' -> c == '{' && !quantifierAhead(at - 1) ? new RegexNode.Literal(c)
          : throwRefuse("a quantifier with nothing before it");
      default -> new RegexNode.Literal(Character.isHighSurrogate(c) && more() ? Character.toCodePoint(c, regex.charAt(at++)) : c);
    };
  }

  private RegexNode throwRefuse(String construct) {
    throw refuse(construct);
  }

  private RegexNode group() {
    if (more() && peek() == '?') {
      if (regex.startsWith("?:", at)) {
        at += 2;
      } else if (regex.startsWith("?<", at) && at + 2 < regex.length() && Character.isLetter(regex.charAt(at + 2))
          || regex.startsWith("?P<", at)) {
        at = regex.indexOf('>', at) + 1;
        if (at == 0) {
          throw refuse("an unterminated group name");
        }
      } else {
        throw refuse("a lookaround or an inline flag '(" + regex.substring(at, Math.min(at + 3, regex.length())) + "'");
      }
    }
    RegexNode inner = alternation();
    if (!more() || peek() != ')') {
      throw refuse("an unclosed '('");
    }
    at++;
    return inner;
  }

  private boolean quantifierAhead(int position) {
    int close = regex.indexOf('}', position);
    return close > position + 1 && BOUNDS.matcher(regex.substring(position + 1, close)).matches();
  }

  private RegexNode quantified(RegexNode atom) {
    if (!more()) {
      return atom;
    }
    int min;
    int max;
    char c = peek();
    if (c == '*' || c == '+' || c == '?') {
      at++;
      min = c == '+' ? 1 : 0;
      max = c == '?' ? 1 : -1;
    } else if (c == '{' && quantifierAhead(at)) {
      int close = regex.indexOf('}', at);
      String[] bounds = regex.substring(at + 1, close).split(",", -1);
      min = Integer.parseInt(bounds[0]);
      max = bounds.length == 1 ? min : bounds[1].isEmpty() ? -1 : Integer.parseInt(bounds[1]);
      at = close + 1;
      if (max >= 0 && max < min) {
        throw refuse("a quantifier {" + min + "," + max + "} whose maximum is below its minimum");
      }
    } else {
      return atom;
    }
    if (more() && (peek() == '?' || peek() == '+')) {
      at++;
    }
    if (atom instanceof RegexNode.Anchor) {
      throw refuse("a quantified anchor");
    }
    return quantified(new RegexNode.Repeat(atom, min, max));
  }

  private RegexNode charClass() {
    boolean negated = more() && peek() == '^';
    if (negated) {
      at++;
    }
    List<int[]> ranges = new ArrayList<>();
    boolean first = true;
    while (more() && (peek() != ']' || first)) {
      first = false;
      if (peek() == '[' || regex.startsWith("&&", at)) {
        throw refuse("a nested character class or a class intersection");
      }
      int from = classChar(ranges);
      if (from >= 0 && regex.startsWith("-", at) && at + 1 < regex.length() && regex.charAt(at + 1) != ']') {
        at++;
        int to = classChar(ranges);
        if (to < from) {
          throw refuse("a character range that is out of order or ends in a shorthand");
        }
        ranges.add(new int[] {from, to});
      } else if (from >= 0) {
        ranges.add(new int[] {from, from});
      }
    }
    if (!more()) {
      throw refuse("an unclosed '['");
    }
    at++;
    return new RegexNode.CharClass(ranges, negated);
  }

  /** One class member: its code point, or -1 when it was a shorthand such as \d (added to ranges). */
  private int classChar(List<int[]> ranges) {
    char c = regex.charAt(at++);
    if (c != '\\') {
      return Character.isHighSurrogate(c) && more() ? Character.toCodePoint(c, regex.charAt(at++)) : c;
    }
    RegexNode escaped = escape(true);
    if (escaped instanceof RegexNode.Literal literal) {
      return literal.codePoint();
    }
    RegexNode.CharClass shorthand = (RegexNode.CharClass) escaped;
    if (shorthand.negated()) {
      throw refuse("a negated shorthand inside a class");
    }
    ranges.addAll(shorthand.ranges());
    return -1;
  }

  private RegexNode escape(boolean inClass) {
    if (!more()) {
      throw refuse("a trailing backslash");
    }
    char c = regex.charAt(at++);
    return switch (c) {
      case 'd', 'D' -> new RegexNode.CharClass(List.of(new int[] {'0', '9'}), c == 'D');
      case 'w', 'W' -> new RegexNode.CharClass(List.of(new int[] {'a', 'z'}, new int[] {'A', 'Z'},
          new int[] {'0', '9'}, new int[] {'_', '_'}), c == 'W');
      case 's', 'S' -> new RegexNode.CharClass(List.of(new int[] {' ', ' '}, new int[] {'\t', '\r'}), c == 'S');
      case 'n' -> new RegexNode.Literal('\n');
      case 't' -> new RegexNode.Literal('\t');
      case 'r' -> new RegexNode.Literal('\r');
      case 'f' -> new RegexNode.Literal('\f');
      case 'v' -> new RegexNode.Literal(0x0B);
      case 'u' -> new RegexNode.Literal(hex(4));
      case 'x' -> new RegexNode.Literal(hex(2));
      case 'p' -> property();
      default -> {
        if (Character.isLetterOrDigit(c) && !(inClass && c == 'b')) {
          throw refuse("'\\" + c + "' (a back-reference, boundary or unsupported escape)");
        }
        yield new RegexNode.Literal(inClass && c == 'b' ? '\b' : c);
      }
    };
  }

  private int hex(int digits) {
    if (at + digits > regex.length() || !HEX.matcher(regex.substring(at, at + digits)).matches()) {
      throw refuse("a malformed hexadecimal escape");
    }
    int value = Integer.parseInt(regex.substring(at, at + digits), 16);
    at += digits;
    return value;
  }

  private RegexNode property() {
    int close = regex.indexOf('}', at);
    String name = close > at && more() && peek() == '{' ? regex.substring(at + 1, close) : "";
    at = Math.max(close + 1, at);
    return switch (name) {
      case "L", "Alpha", "IsAlphabetic" -> new RegexNode.CharClass(List.of(new int[] {'a', 'z'}, new int[] {'A', 'Z'}), false);
      case "Lu", "Upper" -> new RegexNode.CharClass(List.<int[]>of(new int[] {'A', 'Z'}), false);
      case "Ll", "Lower" -> new RegexNode.CharClass(List.<int[]>of(new int[] {'a', 'z'}), false);
      case "N", "Nd", "Digit" -> new RegexNode.CharClass(List.<int[]>of(new int[] {'0', '9'}), false);
      default -> throw refuse("the property class '\\p{" + name + "}'");
    };
  }
}
