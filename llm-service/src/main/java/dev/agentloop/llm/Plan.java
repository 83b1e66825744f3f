package dev.agentloop.llm;

import dev.agentloop.contract.stream.Delta;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * What one answer sends, one entry per token: text, or tool-call starts and argument fragments,
 * for one choice or several one after another. {@link Generation} paces it; the plan only says
 * what comes next, how many tokens it holds and why it ends.
 */
interface Plan {

  boolean hasNext();

  Delta next();

  /** The completion tokens: every entry of every choice, a tool-call start included. */
  int total();

  String finishReason();

  /** A plan made in advance, for answers whose size the schema limits already bound. */
  static Plan of(List<Delta> deltas, String finishReason) {
    Iterator<Delta> it = deltas.iterator();
    return new Plan() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public Delta next() {
        return it.next();
      }

      @Override
      public int total() {
        return deltas.size();
      }

      @Override
      public String finishReason() {
        return finishReason;
      }
    };
  }

  /** The mock's generated text, token by token as it is made. */
  static Plan of(TextGenerator text, String finishReason, int choice) {
    return new Plan() {
      @Override
      public boolean hasNext() {
        return text.hasNext();
      }

      @Override
      public Delta next() {
        return new Delta.Text(text.next(), choice);
      }

      @Override
      public int total() {
        return text.total();
      }

      @Override
      public String finishReason() {
        return finishReason;
      }
    };
  }

  /** Several choices, one after another; the answer ends as the first choice did. */
  static Plan concat(List<Plan> choices) {
    if (choices.size() == 1) {
      return choices.get(0);
    }
    Iterator<Plan> it = choices.iterator();
    return new Plan() {
      private Plan current = it.next();

      @Override
      public boolean hasNext() {
        while (!current.hasNext() && it.hasNext()) {
          current = it.next();
        }
        return current.hasNext();
      }

      @Override
      public Delta next() {
        hasNext();
        return current.next();
      }

      @Override
      public int total() {
        return choices.stream().mapToInt(Plan::total).sum();
      }

      @Override
      public String finishReason() {
        return choices.get(0).finishReason();
      }
    };
  }

  /**
   * A text as tokens: each run of non-space characters with the whitespace before it, so the tokens
   * joined give the text back exactly.
   */
  static List<String> words(String text) {
    List<String> tokens = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      int start = i;
      while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      while (i < text.length() && !Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      tokens.add(text.substring(start, i));
    }
    return tokens;
  }
}
