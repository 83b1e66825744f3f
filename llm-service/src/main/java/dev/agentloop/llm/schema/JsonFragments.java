package dev.agentloop.llm.schema;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a JSON text into token-sized fragments, the way a model streams tool-call arguments:
 * punctuation with the quotes next to it ({@code {"}, {@code ":"}, {@code ","}), words of string
 * content with their leading space, numbers and literals, each at most {@code maxPiece} characters.
 * The fragments joined give the text back exactly, and the same text always gives the same
 * fragments; their count is the completion-token count. Linear in the text, whatever it holds.
 */
public final class JsonFragments {

  private JsonFragments() {
  }

  public static List<String> split(String json, int maxPiece) {
    if (maxPiece < 1) {
      throw new IllegalArgumentException("maxPiece must be at least 1");
    }
    List<String> out = new ArrayList<>();
    int n = json.length();
    int i = 0;
    boolean closingQuoteNext = false;
    while (i < n) {
      int start = i;
      if (!isStructural(json.charAt(i))) {
        while (i < n && i - start < maxPiece && !isStructural(json.charAt(i))) {
          i++;
        }
        out.add(json.substring(start, i));
        continue;
      }
      boolean opened = false;
      while (i < n && i - start < maxPiece && isStructural(json.charAt(i))) {
        if (json.charAt(i++) == '"') {
          if (!closingQuoteNext) {
            opened = true;
            break;
          }
          closingQuoteNext = false;
        }
      }
      out.add(json.substring(start, i));
      if (opened) {
        i = stringContent(json, i, maxPiece, out);
        closingQuoteNext = true;
      }
    }
    return out;
  }

  /** The first {@code count} fragments joined: what a reply cut by {@code max_tokens} carries. */
  public static String prefix(List<String> fragments, int count) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < Math.min(count, fragments.size()); i++) {
      text.append(fragments.get(i));
    }
    return text.toString();
  }

  private static boolean isStructural(char c) {
    return c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':' || c == '"' || Character.isWhitespace(c);
  }

  /**
   * Splits string content from {@code start} up to (not including) its closing quote into word
   * pieces; returns the index of the closing quote (or the end of the text).
   */
  private static int stringContent(String json, int start, int maxPiece, List<String> out) {
    int i = start;
    int n = json.length();
    while (i < n && json.charAt(i) != '"') {
      int end = i;
      char c = json.charAt(i);
      if (c == '\\') {
        end = Math.min(n, i + (i + 1 < n && json.charAt(i + 1) == 'u' ? 6 : 2));
      } else if (Character.isLetterOrDigit(c) || c == ' ' && i + 1 < n && Character.isLetterOrDigit(json.charAt(i + 1))) {
        end = i + 1;
        while (end < n && end - i < maxPiece && Character.isLetterOrDigit(json.charAt(end))) {
          end++;
        }
      } else {
        end = i + 1;
        if (Character.isHighSurrogate(c) && end < n) {
          end++;
        }
      }
      out.add(json.substring(i, end));
      i = end;
    }
    return i;
  }
}
