package dev.agentloop.front;

import dev.agentloop.contract.ApiException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one error path of every front: routes fail the routing context ({@code ctx.fail(apiException)},
 * or throw one), and the router's failure handler turns the failure into the response: the status,
 * the headers ({@code Retry-After}, {@code WWW-Authenticate}, {@code Connection: close} after a
 * request that could not be parsed) and the body in the route's {@link ErrorFormat}. A failure that
 * is not an {@link ApiException} is logged with its stack trace and answered as a bare 500. Only a
 * stream whose head is already written ends with an error event of its own instead.
 */
public final class HttpErrors {

  private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);

  private static final Set<HttpMethod> KNOWN_METHODS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST,
      HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.PATCH, HttpMethod.OPTIONS);

  private HttpErrors() {
  }

  /** The failure handler of a router whose routes speak {@code formats}. */
  public static Handler<RoutingContext> failureHandler(ErrorFormats formats) {
    return ctx -> render(ctx, formats);
  }

  /**
   * What a failed asynchronous step means for the client: an {@link ApiException} as it is, a bus
   * failure (no instance, a timeout, a failure reply) as what {@code service} answered, anything else
   * unchanged so the failure handler logs it as a 500.
   */
  public static Handler<Throwable> failWith(RoutingContext ctx, String service) {
    return failure -> ctx.fail(forClient(failure, service));
  }

  /** {@code future}, its failure turned into what the client should see as {@link #failWith} does. */
  public static <T> Future<T> mapFailure(Future<T> future, String service) {
    return future.recover(failure -> Future.failedFuture(forClient(failure, service)));
  }

  /** {@link #failWith} for one failure. */
  public static Throwable forClient(Throwable failure, String service) {
    return failure instanceof ApiException || failure instanceof ReplyException || failure instanceof TimeoutException
        ? ApiException.from(failure, service) : failure;
  }

  /** The first handler of every router: a request that could not be parsed, or an unknown method, fails here. */
  public static void screen(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (request.decoderResult().isFailure()) {
      ctx.fail(unparsable(request.decoderResult().cause()));
    } else if (KNOWN_METHODS.contains(request.method())) {
      ctx.next();
    } else {
      // Vert.x would answer 501; an unknown method is the client's mistake
      ctx.fail(new ApiException(405, "invalid_request_error", "method_not_allowed", null,
          "Method " + request.method().name() + " is not allowed."));
    }
  }

  /** The router's last route: a path no route serves, in OpenAI's words. */
  public static void notFound(RoutingContext ctx) {
    ctx.fail(new ApiException(404, "invalid_request_error", null, null,
        "Invalid URL (" + ctx.request().method() + " " + ctx.request().path() + ")"));
  }

  private static void render(RoutingContext ctx, ErrorFormats formats) {
    HttpServerRequest request = ctx.request();
    HttpServerResponse response = ctx.response();
    ApiException error = toApiException(ctx);
    if (response.headWritten() || response.ended() || response.closed()) {
      return; // a stream ends with its own error event; a client that left gets nothing
    }
    boolean unparsable = request.decoderResult().isFailure();
    response.setStatusCode(error.status()).putHeader("content-type", "application/json");
    if (error.retryAfterSeconds() > 0) {
      response.putHeader("retry-after", String.valueOf(error.retryAfterSeconds()));
    } else if ((error.status() == 503 || error.status() == 429) && !response.headers().contains("retry-after")) {
      response.putHeader("retry-after", "1");
    }
    if (error.status() == 401) {
      response.putHeader("www-authenticate", "Bearer");
    }
    if (unparsable) {
      response.putHeader("connection", "close");
    }
    response.end(formats.forPath(request.path()).body(error)).onComplete(v -> {
      if (unparsable) {
        request.connection().close();
      }
    });
  }

  private static ApiException unparsable(Throwable cause) {
    if (cause instanceof TooLongHttpHeaderException) {
      return new ApiException(431, "invalid_request_error", "headers_too_large", null,
          "The request headers are larger than this server accepts.");
    }
    if (cause instanceof TooLongHttpLineException || cause instanceof TooLongFrameException) {
      return new ApiException(414, "invalid_request_error", "uri_too_long", null,
          "The request line is longer than this server accepts.");
    }
    return ApiException.badRequest("The HTTP request could not be parsed.", null);
  }

  static ApiException toApiException(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ApiException api) {
      return api;
    }
    int status = failure instanceof HttpException http ? http.getStatusCode() : failure == null ? ctx.statusCode() : 500;
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
