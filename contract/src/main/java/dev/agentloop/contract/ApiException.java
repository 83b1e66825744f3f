package dev.agentloop.contract;

import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * An error as OpenAI shapes it: an HTTP status plus {@code {"error":{"message","type","param","code"}}}.
 * It crosses the event bus as a {@link ReplyException} whose failure code is the HTTP status and whose
 * message is the error object encoded as JSON, so nothing is lost between services.
 */
public final class ApiException extends RuntimeException {

  private final int status;
  private final String type;
  private final String param;
  private final String code;
  private final int retryAfterSeconds;

  public ApiException(int status, String type, String code, String param, String message) {
    this(status, type, code, param, message, 0);
  }

  private ApiException(int status, String type, String code, String param, String message, int retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The same error, telling the client to try again in {@code seconds} (the {@code Retry-After} header). */
  public ApiException retryAfter(int seconds) {
    return new ApiException(status, type, code, param, getMessage(), Math.max(1, seconds));
  }

  /** A 429: concurrent work or a rate past its limit, to be tried again in {@code retryAfterSeconds}. */
  public static ApiException tooManyRequests(String message, int retryAfterSeconds) {
    return new ApiException(429, "requests", "rate_limit_exceeded", null, message, Math.max(1, retryAfterSeconds));
  }

  public static ApiException badRequest(String message, String param) {
    return new ApiException(400, "invalid_request_error", null, param, message);
  }

  public static ApiException badRequest(String message, String param, String code) {
    return new ApiException(400, "invalid_request_error", code, param, message);
  }

  public static ApiException modelNotFound(String model) {
    return new ApiException(404, "invalid_request_error", "model_not_found", "model",
        "The model `" + model + "` does not exist or you do not have access to it.");
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, "invalid_request_error", "not_found", null, message);
  }

  public static ApiException tooLarge(String message) {
    return new ApiException(413, "invalid_request_error", "request_too_large", null, message);
  }

  public static ApiException unavailable(String message) {
    return new ApiException(503, "service_unavailable", "service_unavailable", null, message);
  }

  public static ApiException upstream(String message) {
    return new ApiException(502, "api_error", "upstream_error", null, message);
  }

  public static ApiException timeout(String message) {
    return new ApiException(504, "timeout", "upstream_timeout", null, message);
  }

  public static ApiException internal(String message) {
    return new ApiException(500, "api_error", "internal_error", null, message);
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public String code() {
    return code;
  }

  public String param() {
    return param;
  }

  /** When to try again, for the {@code Retry-After} header; 0 when the error says nothing about it. */
  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public JsonObject errorObject() {
    return new JsonObject()
        .put("message", getMessage())
        .put("type", type)
        .put("param", param)
        .put("code", code);
  }

  /** The body OpenAI sends: {@code {"error":{...}}}. */
  public JsonObject toJson() {
    return new JsonObject().put("error", errorObject());
  }

  /** Fails an event-bus request with this error (and its Retry-After hint, which {@link #from} reads back). */
  public void failReply(Message<?> message) {
    JsonObject error = errorObject();
    if (retryAfterSeconds > 0) {
      error.put(RETRY_AFTER, retryAfterSeconds);
    }
    message.fail(status, error.encode());
  }

  private static final String RETRY_AFTER = "retry_after";

  /**
   * Maps any failure to the error a client should see. {@code service} names the far side for the
   * "no instance" and "timed out" messages.
   */
  public static ApiException from(Throwable failure, String service) {
    if (failure instanceof ApiException api) {
      return api;
    }
    if (failure instanceof ReplyException reply) {
      ReplyFailure kind = reply.failureType();
      if (kind == ReplyFailure.NO_HANDLERS) {
        return unavailable("No " + service + " instance is available.");
      }
      if (kind == ReplyFailure.TIMEOUT) {
        return timeout("The " + service + " did not answer in time.");
      }
      if (kind == ReplyFailure.ERROR) {
        return unavailable("The " + service + " could not be reached: " + reply.getMessage());
      }
      return fromFailureReply(reply.failureCode(), reply.getMessage());
    }
    if (failure instanceof java.util.concurrent.TimeoutException) {
      return timeout("The " + service + " did not answer in time.");
    }
    return internal("Internal error: " + failure.getClass().getSimpleName());
  }

  private static ApiException fromFailureReply(int status, String message) {
    if (message != null && message.startsWith("{")) {
      try {
        JsonObject error = new JsonObject(message);
        return new ApiException(status, error.getString("type", "api_error"), error.getString("code"),
            error.getString("param"), error.getString("message", "error"), error.getInteger(RETRY_AFTER, 0));
      } catch (DecodeException | ClassCastException ignored) {
        // not one of ours: fall through and keep the text
      }
    }
    int httpStatus = status >= 400 && status <= 599 ? status : 502;
    return new ApiException(httpStatus, httpStatus < 500 ? "invalid_request_error" : "api_error", null, null,
        message == null ? "Upstream failure" : message);
  }
}
