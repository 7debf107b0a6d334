package dev.paystream.pipelines.serve;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A GET request as the endpoints see it: the path's {@code {name}} segments and the query
 * parameters, decoded.
 */
record Request(Map<String, String> pathParameters, Map<String, String> queryParameters) {

  /** Decodes a raw query string; a parameter given twice is a bad request. */
  static Map<String, String> parseQuery(String rawQuery) {
    Map<String, String> parameters = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return parameters;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq), true);
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1), true);
      if (parameters.put(name, value) != null) {
        throw HttpError.badRequest("parameter '" + name + "' is given more than once");
      }
    }
    return parameters;
  }

  /** Decodes percent escapes; a {@code +} is a space only in a query string. */
  static String decode(String raw, boolean query) {
    try {
      return URLDecoder.decode(query ? raw : raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest("malformed percent escape in '" + raw + "'");
    }
  }

  String path(String name) {
    return pathParameters.get(name);
  }

  Optional<String> query(String name) {
    return Optional.ofNullable(queryParameters.get(name));
  }

  /** Rejects parameters the endpoint does not know, so that a typo is not silently ignored. */
  Request allowOnly(Set<String> names) {
    for (String name : queryParameters.keySet()) {
      if (!names.contains(name)) {
        throw HttpError.badRequest(
            "unknown parameter '" + name + "'" + (names.isEmpty() ? "" : "; allowed: " + String.join(", ", names.stream().sorted().toList())));
      }
    }
    return this;
  }
}
