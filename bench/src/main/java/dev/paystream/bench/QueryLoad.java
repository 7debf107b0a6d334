package dev.paystream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.postgres.PostgresConnection;
import dev.paystream.io.redis.FeatureHash;
import dev.paystream.io.redis.RedisConnection;
import dev.paystream.pipelines.serve.QueryConfig;
import dev.paystream.pipelines.serve.QueryServer;
import dev.paystream.schemas.CustomerFeatures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Pipeline;

/**
 * A bounded load test of the query service's feature lookup ({@code bash bench/query-load.sh}):
 * Redis filled with {@code --customers} customers' features, the service started on it, and
 * {@code GET /customers/{id}/features} for random customers at a fixed rate for {@code --seconds}.
 *
 * <p>Open loop: request i is due at start + i/rate whether or not earlier ones have returned, and
 * its latency counts from when it was due, so a stalled server shows up in the percentiles instead
 * of slowing the client down (coordinated omission). The client runs in the service's JVM, on the
 * same cores: on a busy machine both compete.
 */
@Command(name = "query-load", mixinStandardHelpOptions = true, description = "Feature lookups against the query service at a fixed rate")
public final class QueryLoad implements java.util.concurrent.Callable<Integer> {
  @Option(names = "--rate", defaultValue = "1000", description = "Requests per second. Default: ${DEFAULT-VALUE}")
  int rate;

  @Option(names = "--seconds", defaultValue = "30", description = "Measured seconds. Default: ${DEFAULT-VALUE}")
  int seconds;

  @Option(names = "--warmUpSeconds", defaultValue = "10", description = "Seconds at the same rate before measuring (JIT, pools). Default: ${DEFAULT-VALUE}")
  int warmUpSeconds;

  @Option(names = "--customers", defaultValue = "10000", description = "Customers with features in Redis. Default: ${DEFAULT-VALUE}")
  int customers;

  @Option(names = "--connections", defaultValue = "32", description = "Requests in flight at most, each on a kept-alive connection (as wrk's -c). Default: ${DEFAULT-VALUE}")
  int connections;

  @Option(names = "--targetP99Millis", defaultValue = "5", description = "p99 target reported against. Default: ${DEFAULT-VALUE}")
  double targetP99Millis;

  @Option(names = "--resultsDir", defaultValue = "bench/results", description = "Where the JSON goes. Default: ${DEFAULT-VALUE}")
  Path resultsDir;

  public static void main(String[] args) {
    System.exit(new CommandLine(new QueryLoad()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("mode", "query-load");
    report.put("when", Instant.now().toString());
    report.put("machine", Machine.describe());
    report.put("load_average_start", Machine.loadAverage());
    try (LocalStack stack = LocalStack.builder().kafkaPort(0).postgresPort(0).redisPort(0).start()) {
      fill(RedisConnection.of(stack.redisUrl()));
      QueryConfig config =
          QueryConfig.of("127.0.0.1", 0, PostgresConnection.of(stack.jdbcUrl(), stack.postgresUser()), RedisConnection.of(stack.redisUrl()));
      try (QueryServer server = QueryServer.start(config)) {
        HttpClient client = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(8)).build();
        System.out.printf("Warm-up: %d s at %,d requests/s against %s%n", warmUpSeconds, rate, server.url());
        drive(client, server.url(), warmUpSeconds);
        System.out.printf("Measuring: %d s at %,d requests/s%n", seconds, rate);
        Result result = drive(client, server.url(), seconds);
        report.put("load_average_end", Machine.loadAverage());
        report.put("options", Map.of("rate", rate, "seconds", seconds, "warm_up_seconds", warmUpSeconds, "customers", customers, "connections", connections));
        report.put("result", result.asMap(targetP99Millis));
        System.out.println(result.describe(rate, targetP99Millis));
        System.out.printf("Load average at start %s, at end %s (2 cores; above %.1f the figures are suspect)%n",
            report.get("load_average_start"), report.get("load_average_end"), Machine.BUSY_LOAD);
      }
    }
    Files.createDirectories(resultsDir);
    Path file = resultsDir.resolve("query-load-" + Instant.now().toString().replace(':', '-') + ".json");
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), report);
    System.out.println("Wrote " + file);
    return 0;
  }

  /** Each customer's features, written as the pipeline's Redis sink writes them. */
  private void fill(RedisConnection connection) {
    SplittableRandom random = new SplittableRandom(13);
    try (JedisPooled redis = connection.open(); Pipeline pipeline = redis.pipelined()) {
      for (int i = 0; i < customers; i++) {
        CustomerFeatures features =
            CustomerFeatures.newBuilder()
                .setCustomerId(customer(i)).setTransactionId("tx_" + i).setEventTime(System.currentTimeMillis())
                .setAmount(random.nextLong(100, 100_000)).setPaymentsLast5m(1).setPaymentsLast1h(random.nextInt(1, 5))
                .setAmountSum24h(random.nextLong(100, 500_000)).setSecondsSincePrevious(random.nextDouble(1, 86_400))
                .setHourOfDay(random.nextInt(24)).setUnusualHour(random.nextBoolean()).setHistoryCount(random.nextLong(1, 500))
                .setAmountMean(5_000).setAmountStddev(1_200).setAmountZscore(random.nextDouble(-3, 3))
                .build();
        pipeline.hset(FeatureHash.key(customer(i)), FeatureHash.fields(features));
      }
      pipeline.sync();
    }
  }

  private static String customer(int i) {
    return String.format("cust_%06d", i);
  }

  /** Sends rate × seconds requests on schedule; the result covers those that were due. */
  private Result drive(HttpClient client, URI url, int duration) throws Exception {
    int total = rate * duration;
    long[] latencies = new long[total];
    AtomicLong errors = new AtomicLong();
    Map<String, Long> errorKinds = new java.util.concurrent.ConcurrentHashMap<>();
    CompletableFuture<?>[] pending = new CompletableFuture<?>[total];
    SplittableRandom random = new SplittableRandom(17);
    // Bounded in flight: an HTTP/1.1 client otherwise opens a connection per concurrent request,
    // and a stalled server then meets a storm of new connections. A request that waits for a
    // connection still counts its wait, from when it was due.
    java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(connections);
    long start = System.nanoTime();
    for (int i = 0; i < total; i++) {
      long due = start + i * 1_000_000_000L / rate;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      inFlight.acquire();
      int index = i;
      HttpRequest request =
          HttpRequest.newBuilder(url.resolve("/customers/" + customer(random.nextInt(customers)) + "/features"))
              .timeout(Duration.ofSeconds(10)).build();
      pending[i] =
          client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
              .handle((response, failure) -> {
                latencies[index] = System.nanoTime() - due;
                inFlight.release();
                if (failure != null || response.statusCode() != 200) {
                  errors.incrementAndGet();
                  String kind = failure != null ? rootCause(failure).getClass().getSimpleName() : "HTTP " + response.statusCode();
                  errorKinds.merge(kind, 1L, Long::sum);
                }
                return null;
              });
    }
    CompletableFuture.allOf(pending).get();
    double elapsed = (System.nanoTime() - start) / 1e9;
    if (!errorKinds.isEmpty()) {
      System.out.println("Errors by kind: " + errorKinds);
    }
    return new Result(total, errors.get(), elapsed, latencies);
  }

  private static Throwable rootCause(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** What one measured phase gave. */
  record Result(int requests, long errors, double seconds, long[] latencyNanos) {
    double achievedRate() {
      return requests / seconds;
    }

    double percentileMillis(double percentile) {
      long[] sorted = latencyNanos.clone();
      Arrays.sort(sorted);
      int rank = (int) Math.ceil(percentile / 100 * sorted.length) - 1;
      return sorted[Math.max(0, rank)] / 1e6;
    }

    Map<String, Object> asMap(double targetP99Millis) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("requests", requests);
      map.put("errors", errors);
      map.put("seconds", seconds);
      map.put("achieved_requests_per_second", achievedRate());
      for (double p : new double[] {50, 90, 99, 99.9, 100}) {
        map.put("p" + (p == 100 ? "max" : String.valueOf(p).replace(".0", "").replace('.', '_')) + "_ms", percentileMillis(p));
      }
      map.put("target_p99_ms", targetP99Millis);
      map.put("target_met", percentileMillis(99) <= targetP99Millis && errors == 0);
      return map;
    }

    String describe(int rate, double targetP99Millis) {
      return String.format(
          "%,d requests in %.1f s: %,.0f requests/s achieved (%,d offered), %d errors; latency from due time:"
              + " p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms; target p99 <= %.1f ms %s",
          requests, seconds, achievedRate(), rate, errors, percentileMillis(50), percentileMillis(90), percentileMillis(99),
          percentileMillis(99.9), percentileMillis(100), targetP99Millis, percentileMillis(99) <= targetP99Millis && errors == 0 ? "met" : "NOT met");
    }
  }
}
