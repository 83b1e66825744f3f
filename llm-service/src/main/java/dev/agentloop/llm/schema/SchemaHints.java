package dev.agentloop.llm.schema;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the user's last message offers the generator: proper names ("Paris", "New York"), content
 * words, and numbers, read from at most the first {@code maxChars} characters in one linear pass.
 *
 * @param text the part of the message that was read
 * @param names capitalised words and runs of them that are not common words, in order
 * @param words content words (three letters or more, not common words), in order, without repeats
 * @param numbers the numbers written in the text, in order
 */
public record SchemaHints(String text, List<String> names, List<String> words, List<BigDecimal> numbers) {

  public static final SchemaHints NONE = new SchemaHints("", List.of(), List.of(), List.of());

  private static final int MAX_NAMES = 16;
  private static final int MAX_WORDS = 32;
  private static final int MAX_NUMBERS = 16;
  private static final int MAX_TOKEN = 64;
  private static final int QUERY_WORDS = 6;

  private static final Set<String> COMMON = Set.of(("a an the and or but if then else of in on at to for from by with "
      + "about into over under after before between near is are was were be been being am do does did done have has "
      + "had having i me my we us our you your he she it its they them their this that these those what which who whom "
      + "whose where when why how please can could would should will shall may might must tell show find get give "
      + "make let need want like know look looking search some any all each every no not yes also just only very "
      + "there here now today tomorrow yesterday hi hello hey thanks thank ok okay "
      + "book send call email meet schedule create add set remind plan buy order check list write read open run "
      + "use put take bring ask help").split(" "));

  public SchemaHints {
    names = List.copyOf(names);
    words = List.copyOf(words);
    numbers = List.copyOf(numbers);
  }

  public static SchemaHints of(String message, int maxChars) {
    if (message == null || message.isEmpty() || maxChars == 0) {
      return NONE;
    }
    String text = message.length() <= maxChars ? message
        : message.substring(0, Character.isHighSurrogate(message.charAt(maxChars - 1)) ? maxChars - 1 : maxChars);
    Extractor extractor = new Extractor();
    extractor.scan(text);
    return new SchemaHints(text, extractor.names, new ArrayList<>(extractor.words), extractor.numbers);
  }

  /** The n-th hint (wrapping round) for a role, or null when the message has none. */
  String pick(HintRole role, int n) {
    List<String> options = switch (role) {
      case PLACE, PERSON -> names.isEmpty() ? capitalised(words) : names;
      case TOPIC -> names.isEmpty() ? longestFirst(words) : names;
      case QUERY -> words.isEmpty() ? names : List.of(String.join(" ", words.subList(0, Math.min(QUERY_WORDS, words.size()))));
      case NONE -> List.of();
    };
    return options.isEmpty() ? null : options.get(n % options.size());
  }

  /** The n-th number of the message, or null when it has no more. */
  BigDecimal number(int n) {
    return n < numbers.size() ? numbers.get(n) : null;
  }

  private static List<String> longestFirst(List<String> words) {
    List<String> sorted = new ArrayList<>(words);
    sorted.sort(Comparator.comparingInt(String::length).reversed());
    return sorted;
  }

  private static List<String> capitalised(List<String> words) {
    List<String> out = new ArrayList<>(words.size());
    for (String word : longestFirst(words)) {
      out.add(Character.toUpperCase(word.charAt(0)) + word.substring(1));
    }
    return out;
  }

  private static final class Extractor {
    final List<String> names = new ArrayList<>();
    final Set<String> words = new LinkedHashSet<>();
    final Set<String> seenWords = new LinkedHashSet<>();
    final List<BigDecimal> numbers = new ArrayList<>();
    private StringBuilder name;
    private boolean nameOpen;
    private boolean sentenceStart = true;
    private String pendingFirst;

    void scan(String text) {
      int i = 0;
      while (i < text.length()) {
        char c = text.charAt(i);
        if (Character.isLetter(c)) {
          int end = i + 1;
          while (end < text.length() && (Character.isLetterOrDigit(text.charAt(end))
              || ((text.charAt(end) == '\'' || text.charAt(end) == '-') && end + 1 < text.length()
                  && Character.isLetter(text.charAt(end + 1))))) {
            end++;
          }
          word(text.substring(i, Math.min(end, i + MAX_TOKEN)), sentenceStart);
          sentenceStart = false;
          i = end;
        } else if (Character.isDigit(c)) {
          int end = i + 1;
          boolean dot = false;
          while (end < text.length() && (Character.isDigit(text.charAt(end)) || (!dot && text.charAt(end) == '.'
              && end + 1 < text.length() && Character.isDigit(text.charAt(end + 1))))) {
            dot |= text.charAt(end) == '.';
            end++;
          }
          boolean negative = i > 0 && text.charAt(i - 1) == '-' && (i == 1 || !Character.isLetterOrDigit(text.charAt(i - 2)));
          if (numbers.size() < MAX_NUMBERS && end - i <= MAX_TOKEN && !compound(text, i, end)) {
            BigDecimal number = new BigDecimal(text.substring(i, end));
            numbers.add(negative ? number.negate() : number);
          }
          closeName();
          sentenceStart = false;
          i = end;
        } else {
          if (c == '.' || c == '!' || c == '?' || c == '\n') {
            sentenceStart = true;
          }
          if (c != ' ' || nameOpen && i + 1 < text.length() && !Character.isUpperCase(text.charAt(i + 1))) {
            closeName();
          }
          i++;
        }
      }
      closeName();
    }

    /** Digits joined to others by '-', '/' or ':', or following a letter (dates, times, codes) are no number of their own. */
    private static boolean compound(String text, int start, int end) {
      boolean joinedBefore = start >= 2 && "-/:".indexOf(text.charAt(start - 1)) >= 0
          && Character.isLetterOrDigit(text.charAt(start - 2));
      boolean joinedAfter = end + 1 < text.length() && "-/:".indexOf(text.charAt(end)) >= 0
          && Character.isDigit(text.charAt(end + 1));
      boolean glued = start >= 1 && Character.isLetter(text.charAt(start - 1));
      return joinedBefore || joinedAfter || glued;
    }

    /** A sentence's first word is capitalised anyway: it starts a name only when one follows it. */
    private void word(String word, boolean first) {
      String lower = word.toLowerCase(Locale.ROOT);
      int apostrophe = lower.indexOf('\'');
      boolean common = COMMON.contains(apostrophe > 0 ? lower.substring(0, apostrophe) : lower);
      if (!common && word.length() >= 3 && words.size() < MAX_WORDS && seenWords.add(lower)) {
        words.add(word);
      }
      if (first && !common) {
        pendingFirst = word;
        return;
      }
      if (!common && Character.isUpperCase(word.charAt(0))) {
        if (pendingFirst != null && name == null) {
          name = new StringBuilder(pendingFirst);
        }
        pendingFirst = null;
        if (name == null) {
          name = new StringBuilder(word);
        } else {
          name.append(' ').append(word);
        }
        nameOpen = true;
      } else {
        closeName();
      }
    }

    private void closeName() {
      pendingFirst = null;
      if (name != null && names.size() < MAX_NAMES) {
        String found = name.toString();
        if (!names.contains(found)) {
          names.add(found);
        }
      }
      name = null;
      nameOpen = false;
    }
  }
}
