package dev.paystream.pipelines.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The few calls of Flink's REST API the tests make, against a session cluster or a MiniCluster. */
final class FlinkRest {
  static final ObjectMapper JSON = new ObjectMapper();

  private final String base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  FlinkRest(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  JsonNode get(String path) throws IOException, InterruptedException {
    return send("GET", path, null);
  }

  JsonNode send(String method, String path, String body) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException(method + " " + path + ": HTTP " + response.statusCode() + " " + response.body());
    }
    return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
  }

  /** The ids of the jobs that are neither finished, cancelled nor failed. */
  List<String> activeJobs() throws IOException, InterruptedException {
    List<String> ids = new ArrayList<>();
    for (JsonNode job : get("/jobs/overview").path("jobs")) {
      if (!job.path("state").asText().matches("FINISHED|CANCELED|FAILED")) {
        ids.add(job.path("jid").asText());
      }
    }
    return ids;
  }

  /**
   * A Beam counter of a running job, summed over every operator and subtask that reports it. Beam's
   * Flink runner hands counters to the PipelineResult only when operators finish, which a streaming
   * job never does, but it publishes them as Flink metrics ({@code <operator>.<namespace>_<name>})
   * all along; the REST endpoint refreshes them every {@code metrics.fetcher.update-interval}.
   */
  long counter(String jobId, String namespace, String name) throws IOException, InterruptedException {
    // The operator's name, then the metric's: namespace and name joined by the scope delimiter,
    // which the metric query service turns into "_".
    String suffix = "." + namespace + "_" + name;
    String rawSuffix = "." + namespace + "." + name;
    long total = 0;
    for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
      String path = "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
      List<String> ids = new ArrayList<>();
      for (JsonNode metric : get(path)) {
        String id = metric.path("id").asText();
        if (id.endsWith(suffix) || id.endsWith(rawSuffix)) {
          ids.add(id);
        }
      }
      if (!ids.isEmpty()) {
        String query = URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8);
        for (JsonNode value : get(path + "?agg=sum&get=" + query)) {
          total += (long) value.path("sum").asDouble();
        }
      }
    }
    return total;
  }

  /**
   * A job's checkpoint statistics: {@code counts} ({@code completed}, {@code failed}, ...; failed
   * includes checkpoints that could not start because a task was not running yet) and {@code
   * history} (the latest {@code web.checkpoints.history} checkpoints that started, with their
   * {@code status} and any {@code failure_message}).
   */
  JsonNode checkpoints(String jobId) throws IOException, InterruptedException {
    return get("/jobs/" + jobId + "/checkpoints");
  }

  /**
   * Everything the REST API (and so the web UI) shows about a job and the cluster that could hold
   * a secret: the job's configuration with its pipeline options ({@code /jobs/<id>/config}), the
   * JobManager's configuration, the job's plan, exceptions and checkpoint configuration, and the
   * names of its operators' metrics.
   */
  String shownAbout(String jobId) throws IOException, InterruptedException {
    StringBuilder shown = new StringBuilder();
    for (String path :
        List.of("/jobs/" + jobId + "/config", "/jobmanager/config", "/jobs/" + jobId, "/jobs/" + jobId + "/exceptions",
            "/jobs/" + jobId + "/checkpoints/config", "/taskmanagers")) {
      shown.append(path).append(' ').append(get(path)).append('\n');
    }
    for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
      String path = "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
      shown.append(path).append(' ').append(get(path)).append('\n');
    }
    return shown.toString();
  }
}
