package dev.agentloop.front;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which error format each route speaks, by path prefix: the longest registered prefix that the path
 * equals or continues with {@code /} wins, else the default. Built once when a front mounts its
 * routes and never changed afterwards, so reading it needs no lock.
 */
public final class ErrorFormats {

  private final ErrorFormat fallback;
  private final Map<String, ErrorFormat> byPrefix;

  private ErrorFormats(ErrorFormat fallback, Map<String, ErrorFormat> byPrefix) {
    this.fallback = fallback;
    this.byPrefix = byPrefix;
  }

  /** Every route in OpenAI's shape. */
  public static ErrorFormats openAi() {
    return new ErrorFormats(ErrorFormat.OPENAI, Map.of());
  }

  /** These formats, with the routes under {@code pathPrefix} (e.g. {@code /v1/messages}) in {@code format}. */
  public ErrorFormats with(String pathPrefix, ErrorFormat format) {
    if (!pathPrefix.startsWith("/") || (pathPrefix.length() > 1 && pathPrefix.endsWith("/"))) {
      throw new IllegalArgumentException("A path prefix starts with / and does not end with one: " + pathPrefix);
    }
    Map<String, ErrorFormat> copy = new LinkedHashMap<>(byPrefix);
    copy.put(pathPrefix, format);
    return new ErrorFormats(fallback, Map.copyOf(copy));
  }

  /** The format of the route that serves {@code path}. */
  public ErrorFormat forPath(String path) {
    ErrorFormat chosen = fallback;
    int longest = -1;
    if (path == null) {
      return chosen;
    }
    for (Map.Entry<String, ErrorFormat> entry : byPrefix.entrySet()) {
      String prefix = entry.getKey();
      boolean under = path.equals(prefix) || prefix.equals("/")
          || (path.startsWith(prefix) && path.charAt(prefix.length()) == '/');
      if (under && prefix.length() > longest) {
        chosen = entry.getValue();
        longest = prefix.length();
      }
    }
    return chosen;
  }
}
