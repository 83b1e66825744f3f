package dev.agentloop.contract;

import java.util.concurrent.TimeoutException;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * An error as OpenAI shapes it: an HTTP status plus {@code {"error":{"message","type","param","code"}}},
 * and a typed {@link Reason} that says why it happened (what a retry decision reads; never the text).
 * It crosses the event bus as a {@link ReplyException} whose failure code is the HTTP status and whose
 * message is the error object encoded as JSON with the reason (and a Retry-After hint) added, so
 * nothing is lost between services. The HTTP body never shows the reason.
 */
public final class ApiException extends RuntimeException {

  /** Why a request failed. Only the {@link #retryable()} ones may be tried again, and only before the first token. */
  public enum Reason {
    /** The model itself failed (its 503). */
    MODEL_UNAVAILABLE,
    /** No instance of the service is registered on the event bus. */
    NO_INSTANCE,
    /** The instance could not be reached: the connection to it failed. */
    CONNECTION_LOST,
    /** The request was most likely on a cluster member that was lost or was leaving. */
    MEMBER_LOST,
    TIMEOUT,
    CIRCUIT_OPEN,
    RATE_LIMITED,
    INVALID_REQUEST,
    NOT_FOUND,
    /** Unavailable for a reason that repeating the same request does not cure (storage down, draining). */
    UNAVAILABLE,
    UPSTREAM,
    CANCELLED,
    INTERNAL;

    /** Safe to try again: nothing was produced, and another attempt (instance) may well succeed. */
    public boolean retryable() {
      return this == MODEL_UNAVAILABLE || this == NO_INSTANCE || this == CONNECTION_LOST || this == MEMBER_LOST;
    }

    /** The reason an error of this status has when whoever raised it named none. */
    static Reason of(int status) {
      return switch (status) {
        case 404 -> NOT_FOUND;
        case 429 -> RATE_LIMITED;
        case 499 -> CANCELLED;
        case 502 -> UPSTREAM;
        case 503 -> UNAVAILABLE;
        case 504 -> TIMEOUT;
        default -> status >= 500 ? INTERNAL : INVALID_REQUEST;
      };
    }

    static Reason parse(String name, int status) {
      if (name != null) {
        for (Reason reason : values()) {
          if (reason.name().equals(name)) {
            return reason;
          }
        }
      }
      return of(status);
    }
  }

  private final int status;
  private final String type;
  private final String param;
  private final String code;
  private final int retryAfterSeconds;
  private final Reason reason;

  /** An error whose reason follows from its status (see {@link Reason#of}). */
  public ApiException(int status, String type, String code, String param, String message) {
    this(status, type, code, param, message, 0, Reason.of(status));
  }

  public ApiException(int status, String type, String code, String param, String message, Reason reason) {
    this(status, type, code, param, message, 0, reason);
  }

  private ApiException(int status, String type, String code, String param, String message, int retryAfterSeconds,
      Reason reason) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
    this.retryAfterSeconds = retryAfterSeconds;
    this.reason = reason;
  }

  /** The same error, telling the client to try again in {@code seconds} (the {@code Retry-After} header). */
  public ApiException retryAfter(int seconds) {
    return new ApiException(status, type, code, param, getMessage(), Math.max(1, seconds), reason);
  }

  /** The same error (same status and body) for another reason. */
  public ApiException withReason(Reason newReason) {
    return new ApiException(status, type, code, param, getMessage(), retryAfterSeconds, newReason);
  }

  /** A 429: concurrent work or a rate past its limit, to be tried again in {@code retryAfterSeconds}. */
  public static ApiException tooManyRequests(String message, int retryAfterSeconds) {
    return new ApiException(429, "requests", "rate_limit_exceeded", null, message, Math.max(1, retryAfterSeconds),
        Reason.RATE_LIMITED);
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

  /** The model failed to answer (a 503 it may not give the next time). */
  public static ApiException modelUnavailable(String message) {
    return new ApiException(503, "service_unavailable", "service_unavailable", null, message, Reason.MODEL_UNAVAILABLE);
  }

  /** No instance of {@code service} is registered. */
  public static ApiException noInstance(String service) {
    return new ApiException(503, "service_unavailable", "service_unavailable", null,
        "No " + service + " instance is available.", Reason.NO_INSTANCE);
  }

  /** The instance of {@code service} a request went to could not be reached. */
  public static ApiException connectionLost(String service, String detail) {
    return new ApiException(503, "service_unavailable", "service_unavailable", null,
        "The " + service + " could not be reached: " + detail, Reason.CONNECTION_LOST);
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

  public Reason reason() {
    return reason;
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

  /**
   * Fails an event-bus request with this error, its reason and its Retry-After hint (which
   * {@link #from} reads back).
   */
  public void failReply(Message<?> message) {
    message.fail(status, busJson().encode());
  }

  /** The error object as it crosses the event bus: the HTTP fields plus the reason and Retry-After hint. */
  public JsonObject busJson() {
    JsonObject error = errorObject().put(REASON, reason.name());
    if (retryAfterSeconds > 0) {
      error.put(RETRY_AFTER, retryAfterSeconds);
    }
    return error;
  }

  private static final String RETRY_AFTER = "retry_after";
  private static final String REASON = "reason";

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
        return noInstance(service);
      }
      if (kind == ReplyFailure.TIMEOUT) {
        return timeout("The " + service + " did not answer in time.");
      }
      if (kind == ReplyFailure.ERROR) {
        return connectionLost(service, reply.getMessage());
      }
      return fromFailureReply(reply.failureCode(), reply.getMessage());
    }
    if (failure instanceof TimeoutException) {
      return timeout("The " + service + " did not answer in time.");
    }
    return internal("The " + service + " had an error while processing the request.");
  }

  private static ApiException fromFailureReply(int status, String message) {
    if (message != null && message.startsWith("{")) {
      try {
        JsonObject error = new JsonObject(message);
        return new ApiException(status, error.getString("type", "api_error"), error.getString("code"),
            error.getString("param"), error.getString("message", "error"), error.getInteger(RETRY_AFTER, 0),
            Reason.parse(error.getString(REASON), status));
      } catch (DecodeException | ClassCastException ignored) {
        // not one of ours: fall through and keep the text
      }
    }
    int httpStatus = status >= 400 && status <= 599 ? status : 502;
    return new ApiException(httpStatus, httpStatus < 500 ? "invalid_request_error" : "api_error", null, null,
        message == null ? "Upstream failure" : message, 0, Reason.of(httpStatus));
  }
}
