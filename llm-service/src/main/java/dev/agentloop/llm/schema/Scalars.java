package dev.agentloop.llm.schema;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Strings, numbers and enum choices for a plain schema, filled from the user's words where they fit. */
final class Scalars {

  private static final String[] WORDS = ("alpha amber apple breeze cedar cloud coral delta ember fern field "
      + "harbor iris jade lake lumen maple meadow nova ocean orbit pearl pine quartz river sage solar stone "
      + "summit tide valley willow").split(" ");
  private static final BigDecimal WINDOW = BigDecimal.valueOf(100);
  private static final long MAX_PICK = 1_000_000;

  private final Generator gen;

  Scalars(Generator gen) {
    this.gen = gen;
  }

  /** A value for {@code true} or {@code {}}: a word. */
  Object anyValue(At at) {
    String word = WORDS[gen.choose(WORDS.length)];
    gen.budget.chars(at.pointer(), word.length());
    return word;
  }

  Object enumValue(JsonObject s, At at) {
    JsonArray values = Keywords.array(s, "enum", at.pointer(), true);
    JsonObject rest = Keywords.without(s, "enum");
    List<Object> allowed = new ArrayList<>();
    for (Object value : values) {
      if (gen.check.valid(rest, value, at.pointer())) {
        allowed.add(value);
      }
    }
    if (allowed.isEmpty()) {
      throw SchemaError.at(at.pointer(), "has no value in 'enum' that meets its other keywords");
    }
    if (gen.rotation == 0) {
      for (Object value : allowed) {
        if (value instanceof String text && mentioned(text)) {
          return value;
        }
      }
    }
    return allowed.get(gen.choose(allowed.size()));
  }

  private boolean mentioned(String option) {
    for (String word : gen.hints.words()) {
      if (word.equalsIgnoreCase(option)) {
        return true;
      }
    }
    return false;
  }

  String string(JsonObject s, At at) {
    String pointer = at.pointer();
    int min = Keywords.count(s, "minLength", 0, pointer);
    int max = Keywords.count(s, "maxLength", Integer.MAX_VALUE, pointer);
    if (min > max) {
      throw SchemaError.at(pointer, "has minLength " + min + " greater than maxLength " + max);
    }
    if (min > gen.limits().maxOutputChars()) {
      throw SchemaError.at(pointer, "has minLength " + min + ", more than the " + gen.limits().maxOutputChars()
          + " characters an answer may hold");
    }
    String pattern = Keywords.string(s, "pattern", pointer);
    String format = Keywords.string(s, "format", pointer);
    String value;
    if (pattern != null) {
      value = gen.patterns.generate(pattern, min, max, gen.random, pointer);
    } else if (Formats.known(format)) {
      value = Formats.generate(format, gen.random);
      int length = value.length();
      if (length < min || length > max) {
        throw SchemaError.at(pointer, "has format '" + format + "', whose values cannot fit minLength " + min
            + "/maxLength " + max);
      }
    } else {
      value = fit(words(at), min, max);
    }
    gen.budget.chars(pointer, value.length() + 2L);
    return value;
  }

  /** The user's words when the property asks for them, else a name-shaped default or a few words. */
  private String words(At at) {
    HintRole role = HintRole.of(at.name(), at.description());
    if (role != HintRole.NONE && gen.rotation == 0) {
      String hint = gen.hints.pick(role, gen.hintCursors[role.ordinal()]++);
      if (hint != null) {
        return hint;
      }
    }
    String name = at.name() == null ? "" : at.name().toLowerCase(Locale.ROOT);
    if (name.contains("email")) {
      return Formats.generate("email", gen.random);
    }
    if (name.endsWith("url") || name.endsWith("uri") || name.contains("link") || name.contains("website")) {
      return Formats.generate("uri", gen.random);
    }
    int count = 1 + gen.random.nextInt(3);
    StringBuilder text = new StringBuilder(WORDS[gen.choose(WORDS.length)]);
    for (int i = 1; i < count; i++) {
      text.append(' ').append(WORDS[gen.random.nextInt(WORDS.length)]);
    }
    return text.toString();
  }

  private String fit(String text, int min, int max) {
    StringBuilder out = new StringBuilder(text);
    while (out.codePointCount(0, out.length()) < min) {
      out.append(' ').append(WORDS[gen.random.nextInt(WORDS.length)]);
    }
    String value = out.toString();
    if (value.codePointCount(0, value.length()) > max) {
      value = value.substring(0, value.offsetByCodePoints(0, max)).stripTrailing();
      String filler = WORDS[gen.random.nextInt(WORDS.length)];
      for (int i = 0; value.codePointCount(0, value.length()) < min; i++) {
        value = value + filler.charAt(i % filler.length());
      }
    }
    return value;
  }

  /** A number in the bounds: one from the user's message when it fits, else one near the bounds. */
  Number number(JsonObject s, At at, boolean integer) {
    String pointer = at.pointer();
    NumberRange range = NumberRange.of(s, pointer);
    BigDecimal step = integer ? new BigDecimal(range.integerStep()) : range.multipleOf();
    for (BigDecimal hint = gen.hints.number(gen.numberCursor); hint != null && gen.rotation == 0;
         hint = gen.hints.number(++gen.numberCursor)) {
      if ((!integer || Keywords.isInteger(hint)) && range.contains(hint)) {
        gen.numberCursor++;
        return Keywords.emit(hint);
      }
    }
    if (step != null) {
      return Keywords.emit(new BigDecimal(pickStep(range, step, pointer)).multiply(step));
    }
    BigDecimal low = range.low();
    BigDecimal high = range.high();
    if (low == null) {
      low = high == null ? BigDecimal.ZERO : high.subtract(WINDOW);
    }
    if (high == null) {
      high = low.add(WINDOW);
    }
    if (low.compareTo(high) > 0 || (low.compareTo(high) == 0 && (range.lowExclusive() || range.highExclusive()))) {
      throw SchemaError.at(pointer, "allows no number: its minimum/maximum leave an empty range");
    }
    BigDecimal first = low.setScale(2, RoundingMode.CEILING);
    BigDecimal last = high.setScale(2, RoundingMode.FLOOR);
    BigDecimal value = first.compareTo(last) <= 0
        ? first.add(BigDecimal.valueOf(gen.random.nextLong(last.subtract(first).movePointRight(2).min(BigDecimal.valueOf(MAX_PICK)).longValue() + 1), 2))
        : low.add(high).divide(BigDecimal.valueOf(2));
    if (!range.contains(value)) {
      value = low.add(high).divide(BigDecimal.valueOf(2));
    }
    return Keywords.emit(value.stripTrailingZeros());
  }

  /** A whole number of steps k within the range (value = k * step), near the bounds when they are open. */
  private BigInteger pickStep(NumberRange range, BigDecimal step, String pointer) {
    BigInteger first = range.firstStep(step);
    BigInteger last = range.lastStep(step);
    BigInteger window = WINDOW.divide(step, 0, RoundingMode.CEILING).toBigInteger().max(BigInteger.ONE);
    if (first == null) {
      first = last == null ? BigInteger.ZERO : last.subtract(window);
    }
    if (last == null) {
      last = first.add(window);
    }
    if (first.compareTo(last) > 0) {
      throw SchemaError.at(pointer, "allows no " + (range.multipleOf() != null ? "multiple of " + range.multipleOf().toPlainString()
          : "integer") + " between its minimum and maximum");
    }
    BigInteger span = last.subtract(first).min(BigInteger.valueOf(MAX_PICK));
    return first.add(BigInteger.valueOf(gen.random.nextLong(span.longValueExact() + 1)));
  }
}
