package dev.paystream.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The query service's own latency histogram ({@code paystream_query_request_seconds}, from arrival
 * to response written) read from its {@code /metrics}: beside the client's figures it tells the
 * service's time from the waits for a core that the client, the service's dispatcher and Redis add
 * on a busy machine.
 */
final class ServiceHistogram {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final Pattern BUCKET =
      Pattern.compile("^paystream_query_request_seconds_bucket\\{route=\"([^\"]*)\",le=\"([^\"]+)\"} (\\S+)$", Pattern.MULTILINE);

  private ServiceHistogram() {}

  /** The cumulative bucket counts of {@code route}, by upper bound in seconds as the text writes it. */
  static Map<String, Double> scrape(URI service, String route) throws IOException, InterruptedException {
    String text = HTTP.send(HttpRequest.newBuilder(service.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    Map<String, Double> buckets = new LinkedHashMap<>();
    Matcher bucket = BUCKET.matcher(text);
    while (bucket.find()) {
      if (bucket.group(1).equals(route)) {
        buckets.put(bucket.group(2), Double.parseDouble(bucket.group(3)));
      }
    }
    return buckets;
  }

  /** Between two scrapes: per bucket bound in milliseconds, the share of requests at or below it. */
  static Map<String, Double> shares(Map<String, Double> before, Map<String, Double> after) {
    double total = after.getOrDefault("+Inf", 0.0) - before.getOrDefault("+Inf", 0.0);
    Map<String, Double> shares = new LinkedHashMap<>();
    for (Map.Entry<String, Double> bucket : after.entrySet()) {
      if (!bucket.getKey().equals("+Inf") && total > 0) {
        String millis = new java.math.BigDecimal(bucket.getKey()).movePointRight(3).stripTrailingZeros().toPlainString();
        shares.put(millis, Math.round(10_000 * (bucket.getValue() - before.getOrDefault(bucket.getKey(), 0.0)) / total) / 10_000.0);
      }
    }
    return shares;
  }
}
