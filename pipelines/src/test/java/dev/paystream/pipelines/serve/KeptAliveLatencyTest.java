package dev.paystream.pipelines.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.io.postgres.PostgresConnection;
import dev.paystream.io.redis.RedisConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Requests one after the other on one kept-alive connection are answered without the ~40 ms
 * stall of Nagle's algorithm meeting the client's delayed acknowledgement (see TcpNoDelay): the
 * stall made every connection answer at most ~25 requests a second. No store is needed: the stores'
 * clients connect lazily, and {@code /openapi.json} reads neither.
 */
class KeptAliveLatencyTest {
  private static final int REQUESTS = 60;
  /** Half the delayed-ACK timer: a server with the stall cannot have its median below it. */
  private static final double MEDIAN_LIMIT_MILLIS = 20;

  @Test
  void keptAliveRequestsAreNotHeldBackByDelayedAcknowledgements() throws Exception {
    QueryConfig config =
        QueryConfig.of(
            "127.0.0.1",
            0,
            PostgresConnection.of("jdbc:postgresql://127.0.0.1:1/nowhere", "nobody"),
            RedisConnection.of("redis://127.0.0.1:1"));
    try (QueryServer server = QueryServer.start(config)) {
      // One connection: HTTP/1.1 without concurrency keeps reusing it.
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpRequest request = HttpRequest.newBuilder(server.url().resolve("/" + QueryServer.OPENAPI)).build();
      double[] millis = new double[REQUESTS];
      for (int i = 0; i < REQUESTS; i++) {
        long start = System.nanoTime();
        HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        millis[i] = (System.nanoTime() - start) / 1e6;
        assertEquals(200, response.statusCode());
      }
      Arrays.sort(millis);
      double median = millis[REQUESTS / 2];
      assertTrue(
          median < MEDIAN_LIMIT_MILLIS,
          "median " + median + " ms per kept-alive request (sorted: " + Arrays.toString(millis) + ")");
    }
  }
}
