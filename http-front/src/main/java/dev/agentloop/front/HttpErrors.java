package dev.agentloop.front;

import dev.agentloop.contract.ApiException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns every failure on a route into OpenAI's error shape, with the matching status. */
public final class HttpErrors {

  private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);

  private HttpErrors() {
  }

  public static void send(HttpServerResponse response, ApiException error) {
    if (response.headWritten() || response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(error.status()).putHeader("content-type", "application/json");
    if (error.retryAfterSeconds() > 0) {
      response.putHeader("retry-after", String.valueOf(error.retryAfterSeconds()));
    } else if ((error.status() == 503 || error.status() == 429) && !response.headers().contains("retry-after")) {
      response.putHeader("retry-after", "1");
    }
    response.end(error.toJson().toBuffer());
  }

  /** The router's failure handler. */
  public static void handle(RoutingContext ctx) {
    send(ctx.response(), toApiException(ctx));
  }

  /** OpenAI's answer to a path it does not serve. */
  public static void notFound(RoutingContext ctx) {
    send(ctx.response(), new ApiException(404, "invalid_request_error", null, null,
        "Invalid URL (" + ctx.request().method() + " " + ctx.request().path() + ")"));
  }

  static ApiException toApiException(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ApiException api) {
      return api;
    }
    int status = failure instanceof HttpException http ? http.getStatusCode() : ctx.statusCode();
    return switch (status) {
      case 400 -> ApiException.badRequest("We could not parse the JSON body of your request.", null);
      case 401 -> new ApiException(401, "invalid_request_error", "invalid_api_key", null, "Incorrect API key provided.");
      case 404 -> new ApiException(404, "invalid_request_error", null, null,
          "Invalid URL (" + ctx.request().method() + " " + ctx.request().path() + ")");
      case 405 -> new ApiException(405, "invalid_request_error", "method_not_allowed", null,
          "Method " + ctx.request().method() + " is not allowed on " + ctx.request().path() + ".");
      case 413 -> ApiException.tooLarge("The request body is larger than this server accepts.");
      case 415 -> new ApiException(415, "invalid_request_error", "unsupported_media_type", null,
          "Send the request body as application/json.");
      case 431 -> new ApiException(431, "invalid_request_error", "headers_too_large", null,
          "The request headers are too large.");
      default -> {
        if (status >= 400 && status < 500) {
          yield new ApiException(status, "invalid_request_error", null, null, "The request was not accepted.");
        }
        LOG.error("Unhandled failure on {} {}", ctx.request().method(), ctx.request().path(), failure);
        yield ApiException.internal("The server had an error while processing your request.");
      }
    };
  }
}
