package dev.paystream.pipelines.serve;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A GET endpoint: a path template such as {@code /customers/{id}/features} (the OpenAPI document's
 * spelling) and what answers it.
 *
 * @param template the path, {@code {name}} standing for one non-empty segment
 * @param queryParameters the query parameters it takes; any other is a bad request, so that a
 *     typo ({@code ?limt=5}) is not silently ignored
 * @param handler the endpoint
 */
record Route(String template, Set<String> queryParameters, Handler handler) {

  /** Answers a request with a status and a body. */
  @FunctionalInterface
  interface Handler {
    Response handle(Request request) throws Exception;
  }

  /** A status and a JSON (or, for {@code /metrics}, text) body. */
  record Response(int status, String contentType, byte[] body) {}

  /** The names of the template's {@code {name}} segments, in order. */
  List<String> parameterNames() {
    List<String> names = new ArrayList<>();
    for (String segment : segments(template)) {
      if (isParameter(segment)) {
        names.add(segment.substring(1, segment.length() - 1));
      }
    }
    return names;
  }

  /** The decoded path parameters, if {@code rawPath} is this route's. */
  Optional<Map<String, String>> match(String rawPath) {
    String[] expected = segments(template);
    String[] actual = segments(rawPath);
    if (expected.length != actual.length) {
      return Optional.empty();
    }
    Map<String, String> parameters = new LinkedHashMap<>();
    for (int i = 0; i < expected.length; i++) {
      if (isParameter(expected[i])) {
        if (actual[i].isEmpty()) {
          return Optional.empty();
        }
        parameters.put(expected[i].substring(1, expected[i].length() - 1), Request.decode(actual[i], false));
      } else if (!expected[i].equals(actual[i])) {
        return Optional.empty();
      }
    }
    return Optional.of(parameters);
  }

  private static String[] segments(String path) {
    // -1: a trailing slash is an empty last segment, so "/decisions/" does not match "/decisions/{id}"
    return path.substring(1).split("/", -1);
  }

  private static boolean isParameter(String segment) {
    return segment.startsWith("{") && segment.endsWith("}");
  }
}
