package dev.agentloop.llm.schema;

import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.regex.Pattern;

/** Values for, and checks of, the string formats the mock knows; other formats are annotations. */
final class Formats {

  static final Set<String> KNOWN = Set.of("date", "date-time", "time", "email", "idn-email", "uri", "iri", "url",
      "uri-reference", "iri-reference", "uuid", "ipv4", "ipv6", "hostname", "idn-hostname", "duration");

  private static final String[] FIRST = {"alex", "sam", "maria", "li", "noor", "jonas", "ines", "kofi"};
  private static final String[] LAST = {"morgan", "lee", "garcia", "chen", "haddad", "berg", "silva", "mensah"};
  private static final String[] PATHS = {"docs", "items", "reports", "events", "files", "news", "search", "profile"};
  private static final LocalDate EPOCH = LocalDate.of(2025, 1, 1);
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[A-Za-z0-9-]{1,63}(\\.[A-Za-z0-9-]{1,63})*");
  private static final Pattern UUID_TEXT = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern IPV4 = Pattern.compile(
      "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  private static final Pattern URI = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:[^\\s]*");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
  private static final Pattern DURATION = Pattern.compile("P(\\d+[YMWD])+(T(\\d+[HMS])+)?|PT(\\d+[HMS])+");
  private static final Pattern OFFSET = Pattern.compile("(\\.\\d{1,9})?(Z|z|[+-]\\d\\d:\\d\\d)");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]{2,45}");
  private static final int LONGEST_CHECKED = 1024;

  private Formats() {
  }

  static boolean known(String format) {
    return format != null && KNOWN.contains(format);
  }

  static String generate(String format, SplittableRandom random) {
    LocalDate date = EPOCH.plusDays(random.nextInt(730));
    String time = String.format(Locale.ROOT, "%02d:%02d:00", 8 + random.nextInt(10), 15 * random.nextInt(4));
    return switch (format) {
      case "date" -> date.toString();
      case "date-time" -> date + "T" + time + "Z";
      case "time" -> time + "Z";
      case "email", "idn-email" -> FIRST[random.nextInt(FIRST.length)] + "." + LAST[random.nextInt(LAST.length)]
          + "@example.com";
      case "uri", "iri", "url" -> "https://example.com/" + PATHS[random.nextInt(PATHS.length)] + "/" + (1 + random.nextInt(999));
      case "uri-reference", "iri-reference" -> "/" + PATHS[random.nextInt(PATHS.length)] + "/" + (1 + random.nextInt(999));
      case "uuid" -> uuid(random);
      case "ipv4" -> "192.0.2." + (1 + random.nextInt(254));
      case "ipv6" -> "2001:db8::" + Integer.toHexString(1 + random.nextInt(0xfffe));
      case "hostname", "idn-hostname" -> PATHS[random.nextInt(PATHS.length)] + ".example.com";
      case "duration" -> "P" + (1 + random.nextInt(30)) + "D";
      default -> throw new IllegalArgumentException(format);
    };
  }

  private static String uuid(SplittableRandom random) {
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }

  /** Whether a string has the format; unknown formats accept everything. */
  static boolean valid(String format, String value) {
    if (!known(format)) {
      return true;
    }
    if (value.length() > LONGEST_CHECKED) {
      return false;
    }
    try {
      return switch (format) {
        case "date" -> LocalDate.parse(value) != null;
        case "date-time" -> OffsetDateTime.parse(value) != null;
        case "time" -> value.length() > 8 && LocalTime.parse(value.substring(0, 8)) != null
            && OFFSET.matcher(value.substring(8)).matches();
        case "email", "idn-email" -> EMAIL.matcher(value).matches();
        case "uri", "iri", "url" -> URI.matcher(value).matches();
        case "uri-reference", "iri-reference" -> !value.contains(" ");
        case "uuid" -> UUID_TEXT.matcher(value).matches();
        case "ipv4" -> IPV4.matcher(value).matches();
        case "ipv6" -> value.contains(":") && IPV6.matcher(value).matches();
        case "hostname", "idn-hostname" -> value.length() <= 253 && HOST.matcher(value).matches();
        case "duration" -> DURATION.matcher(value).matches();
        default -> true;
      };
    } catch (DateTimeParseException e) {
      return false;
    }
  }
}
