package dev.paystream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.redis.FeatureHash;
import dev.paystream.io.redis.RedisConnection;
import dev.paystream.schemas.CustomerFeatures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Pipeline;

/**
 * A bounded load test of the query service's feature lookup ({@code bash bench/query-load.sh}):
 * Redis (the local stack's redis-server) filled with {@code --customers} customers' features, the
 * service started on it in a JVM of its own ({@link QueryServiceProcess}), and {@code GET
 * /customers/{id}/features} for random customers, open loop at each {@code --rate} in turn for
 * {@code --seconds} ({@link OpenLoopClient}: latency from each request's due time), after {@code
 * --warmUpSeconds} at the first rate that are not counted (JIT, pools, connections).
 *
 * <p>A request counts as an error unless it is a 200 answered from Redis: every customer is in
 * Redis, so a PostgreSQL answer means Redis failed. The client runs in this JVM, on the same two
 * cores as the service, Redis and whatever else runs: the load average is printed with the figures.
 */
@Command(name = "query-load", mixinStandardHelpOptions = true, description = "Feature lookups against the query service, open loop at fixed rates")
public final class QueryLoad implements Callable<Integer> {
  private static final String FEATURES_ROUTE = "/customers/{id}/features";

  @Option(names = "--rate", defaultValue = "1000", split = ",", description = "Requests per second; a list (1000,2000,4000) measures each in turn. Default: ${DEFAULT-VALUE}")
  List<Integer> rates;

  @Option(names = "--seconds", defaultValue = "30", description = "Measured seconds per rate. Default: ${DEFAULT-VALUE}")
  int seconds;

  @Option(names = "--warmUpSeconds", defaultValue = "10", description = "Seconds at the first rate before measuring, not counted. Default: ${DEFAULT-VALUE}")
  int warmUpSeconds;

  @Option(names = "--customers", defaultValue = "10000", description = "Customers with features in Redis. Default: ${DEFAULT-VALUE}")
  int customers;

  @Option(names = "--connections", defaultValue = "32", description = "Kept-alive connections, each with at most one request in flight (as wrk's -c). Default: ${DEFAULT-VALUE}")
  int connections;

  @Option(names = "--serverThreads", defaultValue = "16", description = "The service's --threads. Default: ${DEFAULT-VALUE}")
  int serverThreads;

  @Option(names = "--serverJvmOptions", defaultValue = "-Xmx512m", split = " ", description = "The service JVM's options, space-separated. Default: ${DEFAULT-VALUE}")
  List<String> serverJvmOptions;

  @Option(names = "--serverJfr", description = "Record the service with JFR (profile settings) into this file, e.g. /tmp/query-service.jfr")
  Path serverJfr;

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
    Map<String, Object> options = new LinkedHashMap<>();
    options.put("rates", rates);
    options.put("seconds", seconds);
    options.put("warm_up_seconds", warmUpSeconds);
    options.put("customers", customers);
    options.put("connections", connections);
    options.put("server_threads", serverThreads);
    options.put("server_jvm_options", jvmOptions());
    options.put("client", "open loop, own JVM, blocking HTTP/1.1 kept-alive connections; latency from due time");
    report.put("options", options);
    List<Map<String, Object>> results = new ArrayList<>();
    try (LocalStack stack = LocalStack.builder().kafkaPort(0).postgresPort(0).redisPort(0).start()) {
      // The service reads PostgreSQL and Redis only; an idle broker in this JVM would still take CPU.
      stack.stopKafka();
      fill(RedisConnection.of(stack.redisUrl()));
      Path log = Files.createTempFile("query-service-", ".log");
      List<String> serviceOptions =
          List.of(
              "--postgresJdbcUrl=" + stack.jdbcUrl(),
              "--postgresUser=" + stack.postgresUser(),
              "--redisUrl=" + stack.redisUrl(),
              "--threads=" + serverThreads);
      try (QueryServiceProcess service = QueryServiceProcess.start(jvmOptions(), serviceOptions, log, Duration.ofMinutes(2))) {
        System.out.printf("Query service in its own JVM at %s (output: %s)%n", service.url(), service.log());
        OpenLoopClient client = new OpenLoopClient(service.url(), connections);
        System.out.printf("Warm-up (not counted): %d s at %,d requests/s%n", warmUpSeconds, rates.get(0));
        client.run(rates.get(0), warmUpSeconds, this::path, QueryLoad::fromRedis);
        for (int rate : rates) {
          List<Double> loadBefore = Machine.loadAverage();
          Duration cpuBefore = service.cpuTime();
          Map<String, Double> bucketsBefore = ServiceHistogram.scrape(service.url(), FEATURES_ROUTE);
          OpenLoopClient.Run run = client.run(rate, seconds, this::path, QueryLoad::fromRedis);
          double serviceCpuSeconds = (service.cpuTime().toNanos() - cpuBefore.toNanos()) / 1e9;
          Map<String, Object> result = result(rate, run, serviceCpuSeconds, loadBefore, Machine.loadAverage());
          result.put(
              "service_side_share_within_ms",
              ServiceHistogram.shares(bucketsBefore, ServiceHistogram.scrape(service.url(), FEATURES_ROUTE)));
          results.add(result);
          System.out.println(describe(result));
        }
      }
    }
    report.put("results", results);
    report.put("load_average_end", Machine.loadAverage());
    Files.createDirectories(resultsDir);
    Path file = resultsDir.resolve("query-load-" + Instant.now().toString().replace(':', '-') + ".json");
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), report);
    System.out.printf("Load average at start %s, at end %s (2 cores; above %.1f the figures are suspect)%n",
        report.get("load_average_start"), report.get("load_average_end"), Machine.BUSY_LOAD);
    System.out.println("Wrote " + file);
    return 0;
  }

  private List<String> jvmOptions() {
    List<String> jvm = new ArrayList<>(serverJvmOptions);
    if (serverJfr != null) {
      jvm.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=" + serverJfr.toAbsolutePath());
    }
    return jvm;
  }

  /** Request i's path: a customer drawn from a fixed sequence, the same every run. */
  private String path(int i) {
    long mixed = new SplittableRandom(i * 0x9E3779B97F4A7C15L).nextLong();
    return "/customers/" + customer((int) Math.floorMod(mixed, (long) customers)) + "/features";
  }

  private static String fromRedis(int status, byte[] body) {
    if (status != 200) {
      return "HTTP " + status;
    }
    return new String(body, StandardCharsets.UTF_8).contains("\"source\":\"redis\"") ? null : "answered not from Redis";
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

  private Map<String, Object> result(
      int rate, OpenLoopClient.Run run, double serviceCpuSeconds, List<Double> loadBefore, List<Double> loadAfter) {
    long[] sorted = run.latencyNanos().clone();
    Arrays.sort(sorted);
    long[] lateness = run.sendDelayNanos().clone();
    Arrays.sort(lateness);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("offered_requests_per_second", rate);
    result.put("requests", sorted.length);
    result.put("errors", run.errors());
    result.put("error_kinds", run.errorKinds());
    result.put("seconds", run.seconds());
    result.put("achieved_requests_per_second", sorted.length / run.seconds());
    result.put("p50_ms", millis(sorted, 50));
    result.put("p90_ms", millis(sorted, 90));
    result.put("p99_ms", millis(sorted, 99));
    result.put("p99_9_ms", millis(sorted, 99.9));
    result.put("max_ms", sorted[sorted.length - 1] / 1e6);
    // How late the client sent (all connections busy, or the client not scheduled): part of the latency.
    result.put("send_delay_p99_ms", millis(lateness, 99));
    result.put("service_cpu_ms_per_request", 1000 * serviceCpuSeconds / sorted.length);
    result.put("load_average_before", loadBefore);
    result.put("load_average_after", loadAfter);
    result.put("target_p99_ms", targetP99Millis);
    result.put("target_met", millis(sorted, 99) <= targetP99Millis && run.errors() == 0);
    return result;
  }

  /** Nearest-rank percentile of sorted nanoseconds, in milliseconds. */
  static double millis(long[] sorted, double percentile) {
    int rank = (int) Math.ceil(percentile / 100 * sorted.length) - 1;
    return sorted[Math.max(0, rank)] / 1e6;
  }

  private static String describe(Map<String, Object> r) {
    return String.format(
        "%,d requests/s offered: %,d requests in %.1f s, %,.0f requests/s achieved, %d errors %s;"
            + " latency from due time p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms"
            + " (client sent late by up to %.2f ms at p99); service CPU %.3f ms/request; the service's own timing"
            + " (arrival to response written), share within ms: %s; load average %s -> %s; target p99 <= %.1f ms: %s",
        r.get("offered_requests_per_second"), r.get("requests"), r.get("seconds"), r.get("achieved_requests_per_second"),
        r.get("errors"), r.get("error_kinds"), r.get("p50_ms"), r.get("p90_ms"), r.get("p99_ms"), r.get("p99_9_ms"),
        r.get("max_ms"), r.get("send_delay_p99_ms"), r.get("service_cpu_ms_per_request"), r.get("service_side_share_within_ms"),
        r.get("load_average_before"),
        r.get("load_average_after"), r.get("target_p99_ms"), (Boolean) r.get("target_met") ? "met" : "NOT met");
  }
}
