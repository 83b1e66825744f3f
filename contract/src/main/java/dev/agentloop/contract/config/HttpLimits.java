package dev.agentloop.contract.config;

import io.vertx.core.buffer.Buffer;

/**
 * The limits every OpenAI-compatible front enforces, each answered with its own 4xx: body size
 * (413), header size (431), messages per request, characters per message, JSON nesting depth and
 * {@code max_tokens} (400); plus the timeouts that close idle and slow-loris connections, the SSE
 * keep-alive interval and how long a stream may stay blocked on a client that does not read.
 */
public record HttpLimits(
    long bodyLimitBytes,
    int maxHeaderBytes,
    int maxMessages,
    int maxMessageChars,
    int maxJsonDepth,
    int maxTokensLimit,
    long idleTimeoutMs,
    long requestTimeoutMs,
    long sseKeepaliveMs,
    long slowReaderTimeoutMs) {

  /** Reads the {@code gateway} section's body_limit_bytes, max_tokens_limit and {@code limits.*}. */
  public static HttpLimits from(Settings gateway) {
    Settings limits = gateway.section("limits");
    int day = 24 * 3600 * 1000;
    return new HttpLimits(
        gateway.integer("body_limit_bytes", 1024, Integer.MAX_VALUE),
        limits.integer("max_header_bytes", 1024, 1 << 20),
        limits.integer("max_messages", 1, 1_000_000),
        limits.integer("max_message_chars", 1, Integer.MAX_VALUE),
        limits.integer("max_json_depth", 4, 1000),
        gateway.integer("max_tokens_limit", 1, 10_000_000),
        limits.integer("idle_timeout_ms", 0, day),
        limits.integer("request_timeout_ms", 0, day),
        limits.integer("sse_keepalive_ms", 0, day),
        limits.integer("slow_reader_timeout_ms", 0, day));
  }

  /** The deepest nesting of objects and arrays, strings skipped; stops early past the limit. */
  public static int jsonDepth(Buffer body, int stopAt) {
    int depth = 0;
    int max = 0;
    boolean inString = false;
    boolean escaped = false;
    for (int i = 0, n = body.length(); i < n; i++) {
      byte b = body.getByte(i);
      if (inString) {
        if (escaped) {
          escaped = false;
        } else if (b == '\\') {
          escaped = true;
        } else if (b == '"') {
          inString = false;
        }
      } else if (b == '"') {
        inString = true;
      } else if (b == '{' || b == '[') {
        depth++;
        if (depth > max) {
          max = depth;
          if (max > stopAt) {
            return max;
          }
        }
      } else if (b == '}' || b == ']') {
        depth--;
      }
    }
    return max;
  }
}
