package dev.paystream.io.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.schemas.metrics.PaystreamMetrics;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {

  @AfterEach
  void stop() {
    MetricsEndpoint.stop();
  }

  @Test
  void servesTheCatalogueOncePerJvmOnTheFirstFreePortOfARange() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      int first = taken.getLocalPort();
      // The first port of the range is taken (another TaskManager on the host): the next one serves.
      OptionalInt port = MetricsEndpoint.start(first + "-" + (first + 20));
      assertTrue(port.isPresent());
      assertTrue(port.getAsInt() > first && port.getAsInt() <= first + 20, "port " + port);
      assertEquals(port, MetricsEndpoint.start("1-2"), "a second start in the JVM reuses the endpoint");

      PaystreamMetrics.DECISIONS.labelValues("DECLINE").inc(3);
      String scrape = get(port.getAsInt());
      assertTrue(scrape.contains("paystream_decisions_total{outcome=\"DECLINE\"}"), scrape);
      assertTrue(scrape.contains("# TYPE paystream_decision_latency_seconds histogram"), scrape);
    }
  }

  @Test
  void zeroMeansNoEndpointAndBadSpecsAreRefused() {
    assertEquals(OptionalInt.empty(), MetricsEndpoint.start("0"));
    assertArrayEquals(new int[] {9464, 9473}, MetricsEndpoint.range("9464-9473"));
    assertThrows(IllegalArgumentException.class, () -> MetricsEndpoint.range("9473-9464"));
    assertThrows(IllegalArgumentException.class, () -> MetricsEndpoint.range("http"));
  }

  private static String get(int port) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    return response.body();
  }
}
