package dev.agentloop.contract.storage;

import dev.agentloop.contract.ApiException;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Job ids: {@code job_} then 32 lower-case hex digits. Every entry point checks the pattern, so an id
 * can never name a path outside the data directory; an id that does not match names no job (404).
 */
public final class JobIds {

  public static final Pattern PATTERN = Pattern.compile("job_[0-9a-f]{32}");

  private JobIds() {
  }

  public static String newId() {
    return "job_" + UUID.randomUUID().toString().replace("-", "");
  }

  public static boolean valid(Object id) {
    return id instanceof String s && PATTERN.matcher(s).matches();
  }

  /** The id, or a 404: no job can have it. */
  public static String require(Object id) {
    if (!valid(id)) {
      throw notFound(String.valueOf(id));
    }
    return (String) id;
  }

  public static ApiException notFound(String id) {
    String shown = id.length() > 80 ? id.substring(0, 80) + "…" : id;
    return ApiException.notFound("No job with id `" + shown + "`.");
  }
}
