package dev.paystream.pipelines.monitoring;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scrape of a Prometheus text endpoint, read as Prometheus would: samples by metric name and
 * labels. Reads both our client's (1.x) and Flink's reporter's (simpleclient 0.x, trailing comma in
 * the label set) output.
 */
public final class Scrape {
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})?\\s+(\\S+).*$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** One sample: its metric name, labels and value. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples;
  private final String text;

  private Scrape(String text) {
    this.text = text;
    this.samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      Matcher sample = SAMPLE.matcher(line);
      if (line.startsWith("#") || !sample.matches()) {
        continue;
      }
      Map<String, String> labels = new TreeMap<>();
      if (sample.group(2) != null) {
        Matcher label = LABEL.matcher(sample.group(2));
        while (label.find()) {
          labels.put(label.group(1), label.group(2));
        }
      }
      samples.add(new Sample(sample.group(1), labels, Double.parseDouble(sample.group(3))));
    }
  }

  /** Scrapes {@code http://127.0.0.1:port/metrics}. */
  public static Scrape of(int port) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("scrape of port " + port + ": HTTP " + response.statusCode());
    }
    return new Scrape(response.body());
  }

  /** Every sample of {@code name}. */
  public List<Sample> samples(String name) {
    return samples.stream().filter(sample -> sample.name.equals(name)).toList();
  }

  /** The sum of {@code name}'s samples by the value of {@code label}. */
  public Map<String, Double> sumBy(String name, String label) {
    Map<String, Double> sums = new TreeMap<>();
    samples(name).forEach(sample -> sums.merge(sample.labels.getOrDefault(label, ""), sample.value, Double::sum));
    return sums;
  }

  /** The sum of {@code name}'s samples (0 if none). */
  public double sum(String name) {
    return samples(name).stream().mapToDouble(Sample::value).sum();
  }

  /** The lines of the scrape that {@code line} accepts, for the record. */
  public List<String> lines(Predicate<String> line) {
    return text.lines().filter(line).toList();
  }
}
