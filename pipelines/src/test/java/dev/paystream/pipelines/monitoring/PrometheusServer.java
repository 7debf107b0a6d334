package dev.paystream.pipelines.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Prometheus (the installed binary) scraping one target every second, with the repository's
 * alert rules loaded with every {@code for:} shortened to {@code forSeconds}: how a test sees a
 * stall fire within seconds. Its HTTP API answers queries and lists alerts.
 */
final class PrometheusServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Process process;
  private final int port;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private PrometheusServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts Prometheus in {@code dir}, scraping {@code target} (host:port) as job {@code job}. */
  static PrometheusServer start(Path dir, String job, String target, int forSeconds) throws IOException {
    String rules = Files.readString(PrometheusBinaries.RULES).replaceAll("(?m)^(\\s+for: )\\S+$", "$1" + forSeconds + "s");
    Files.writeString(dir.resolve("alerts.yml"), rules);
    Files.writeString(
        dir.resolve("prometheus.yml"),
        String.join(
            "\n",
            "global:",
            "  scrape_interval: 1s",
            "  evaluation_interval: 1s",
            "rule_files: [alerts.yml]",
            "scrape_configs:",
            "  - job_name: " + job,
            "    static_configs:",
            "      - targets: ['" + target + "']",
            ""));
    int port = freePort();
    Process process =
        new ProcessBuilder(
                PrometheusBinaries.find("prometheus").toString(),
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .start();
    return new PrometheusServer(process, port);
  }

  /** The result vector of an instant query (empty when the query has no data). */
  JsonNode query(String promql) throws IOException, InterruptedException {
    JsonNode body = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    if (!"success".equals(body.path("status").asText())) {
      throw new IllegalStateException(promql + ": " + body);
    }
    return body.path("data").path("result");
  }

  /** The sum of a query's sample values. */
  double sum(String promql) throws IOException, InterruptedException {
    double total = 0;
    for (JsonNode sample : query(promql)) {
      total += sample.path("value").get(1).asDouble();
    }
    return total;
  }

  /** Alerts in state firing. */
  List<String> firing() throws IOException, InterruptedException {
    return get("/api/v1/alerts").path("data").path("alerts").findParents("state").stream()
        .filter(alert -> "firing".equals(alert.path("state").asText()))
        .map(alert -> alert.path("labels").path("alertname").asText())
        .toList();
  }

  /** Every rule's evaluation health ("ok", "err", "unknown"), as name=health. */
  List<String> ruleHealth() throws IOException, InterruptedException {
    return get("/api/v1/rules").path("data").path("groups").findValues("rules").stream()
        .flatMap(rules -> java.util.stream.StreamSupport.stream(rules.spliterator(), false))
        .map(rule -> rule.path("name").asText() + "=" + rule.path("health").asText() + rule.path("lastError").asText(""))
        .toList();
  }

  boolean ready() {
    try {
      return http.send(request("/-/ready"), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    return JSON.readTree(http.send(request(path), HttpResponse.BodyHandlers.ofString()).body());
  }

  private HttpRequest request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build();
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
