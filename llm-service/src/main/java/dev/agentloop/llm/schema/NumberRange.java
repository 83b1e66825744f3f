package dev.agentloop.llm.schema;

import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * The numbers a schema allows: {@code minimum}, {@code maximum}, {@code exclusiveMinimum},
 * {@code exclusiveMaximum} (as numbers, or as draft-4 booleans beside minimum/maximum) and
 * {@code multipleOf}. Null bounds are open.
 */
record NumberRange(BigDecimal low, boolean lowExclusive, BigDecimal high, boolean highExclusive, BigDecimal multipleOf) {

  static NumberRange of(JsonObject schema, String pointer) {
    BigDecimal low = Keywords.decimal(schema, "minimum", pointer);
    BigDecimal high = Keywords.decimal(schema, "maximum", pointer);
    boolean lowExclusive = false;
    boolean highExclusive = false;
    Object exclusiveMin = schema.getValue("exclusiveMinimum");
    if (exclusiveMin instanceof Boolean flag) {
      lowExclusive = flag && low != null;
    } else if (exclusiveMin != null) {
      BigDecimal bound = Keywords.decimal(schema, "exclusiveMinimum", pointer);
      if (low == null || bound.compareTo(low) >= 0) {
        low = bound;
        lowExclusive = true;
      }
    }
    Object exclusiveMax = schema.getValue("exclusiveMaximum");
    if (exclusiveMax instanceof Boolean flag) {
      highExclusive = flag && high != null;
    } else if (exclusiveMax != null) {
      BigDecimal bound = Keywords.decimal(schema, "exclusiveMaximum", pointer);
      if (high == null || bound.compareTo(high) <= 0) {
        high = bound;
        highExclusive = true;
      }
    }
    BigDecimal multipleOf = Keywords.decimal(schema, "multipleOf", pointer);
    if (multipleOf != null && multipleOf.signum() <= 0) {
      throw SchemaError.at(pointer, "has 'multipleOf' " + multipleOf.toPlainString() + "; it must be greater than 0");
    }
    return new NumberRange(low, lowExclusive, high, highExclusive, multipleOf);
  }

  boolean contains(BigDecimal value) {
    if (low != null && (lowExclusive ? value.compareTo(low) <= 0 : value.compareTo(low) < 0)) {
      return false;
    }
    if (high != null && (highExclusive ? value.compareTo(high) >= 0 : value.compareTo(high) > 0)) {
      return false;
    }
    return multipleOf == null || value.remainder(multipleOf).signum() == 0;
  }

  /**
   * The step between allowed values for integers: 1, or the smallest whole multiple of
   * {@code multipleOf} (for 0.5 that is 1, for 2.5 it is 5).
   */
  BigInteger integerStep() {
    if (multipleOf == null) {
      return BigInteger.ONE;
    }
    BigDecimal stripped = multipleOf.stripTrailingZeros();
    if (stripped.scale() <= 0) {
      return stripped.toBigIntegerExact();
    }
    BigInteger unscaled = stripped.unscaledValue();
    BigInteger power = BigInteger.TEN.pow(stripped.scale());
    return unscaled.divide(unscaled.gcd(power));
  }

  /** The smallest allowed whole number of steps k (value = k * step), or null when unbounded below. */
  BigInteger firstStep(BigDecimal step) {
    if (low == null) {
      return null;
    }
    BigDecimal k = low.divide(step, 0, RoundingMode.CEILING);
    if (lowExclusive && k.multiply(step).compareTo(low) == 0) {
      k = k.add(BigDecimal.ONE);
    }
    return k.toBigIntegerExact();
  }

  /** The largest allowed whole number of steps, or null when unbounded above. */
  BigInteger lastStep(BigDecimal step) {
    if (high == null) {
      return null;
    }
    BigDecimal k = high.divide(step, 0, RoundingMode.FLOOR);
    if (highExclusive && k.multiply(step).compareTo(high) == 0) {
      k = k.subtract(BigDecimal.ONE);
    }
    return k.toBigIntegerExact();
  }
}
