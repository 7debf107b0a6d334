package dev.paystream.pipelines.serve;

/** A request that ends with a 4xx or 5xx status and a message the client may read. */
final class HttpError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  private HttpError(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  static HttpError badRequest(String message) {
    return new HttpError(400, message);
  }

  static HttpError notFound(String message) {
    return new HttpError(404, message);
  }

  static HttpError methodNotAllowed(String message) {
    return new HttpError(405, message);
  }

  /** A store the answer needs is down: the client may retry; the details go to the log, not to it. */
  static HttpError unavailable(String message) {
    return new HttpError(503, message);
  }

  int status() {
    return status;
  }
}
