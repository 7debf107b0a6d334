package dev.paystream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.pipelines.FraudDetectionPipeline;
import dev.paystream.pipelines.generator.GeneratePayments;
import dev.paystream.pipelines.generator.GeneratedRecord;
import dev.paystream.pipelines.generator.GeneratedRecord.Kind;
import dev.paystream.pipelines.generator.GeneratorStats;
import dev.paystream.pipelines.generator.PaymentGenerator;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Throughput, latency and memory of the fraud pipeline, each figure beside the raw Kafka
 * exactly-once limit measured in the same run on the same broker:
 *
 * <ol>
 *   <li>preload N generated payments (Avro) into a topic;
 *   <li>each contender (the {@link KafkaLimit}, the pipeline on Flink embedded, the pipeline on the
 *       DirectRunner over fewer payments) runs in its own JVM until its output is committed;
 *   <li>latency mode: live traffic at a fixed rate, event-to-visible-decision percentiles.
 * </ol>
 *
 * The broker runs in this JVM, so contenders' memory and CPU figures are theirs alone.
 */
public final class Benchmark {
  private final BenchmarkOptions options;
  private final LocalStack stack;
  private final List<Map<String, Object>> results = new ArrayList<>();
  private final Path checkpointDir;

  private Benchmark(BenchmarkOptions options, LocalStack stack) {
    this.options = options;
    this.stack = stack;
    this.checkpointDir = stack.dataDir().resolve("flink-checkpoints");
  }

  public static void main(String[] args) throws Exception {
    PipelineOptionsFactory.register(BenchmarkOptions.class);
    BenchmarkOptions options = PipelineOptionsFactory.fromArgs(args).withValidation().as(BenchmarkOptions.class);
    try (LocalStack stack = LocalStack.builder().kafkaPort(0).postgresPort(0).redisPort(0).start()) {
      new Benchmark(options, stack).run();
    }
    System.exit(0);
  }

  private void run() throws Exception {
    Preloaded big = preload("bench-payments", options.getEvents());
    Double limit = null;
    Double best = null;
    for (String contender : options.getContenders()) {
      Map<String, Object> result =
          switch (contender) {
            case "limit" -> measure("limit (kafka-clients EOS)", KafkaLimit.class, limitArgs(big), big.stats.total(), List.of("bench-limit-out"), big.stats.total(), null);
            case "flink" -> measurePipeline("flink embedded", big, flinkArgs());
            case "direct" -> measurePipeline("direct", preload("bench-payments-direct", options.getDirectEvents()), directArgs());
            default -> throw new IllegalArgumentException("unknown contender " + contender);
          };
      double rate = (double) result.get("events_per_second");
      if (contender.equals("limit")) {
        limit = rate;
      } else if (best == null) {
        best = rate;
      }
      result.put("ratio_to_limit", limit == null ? null : rate / limit);
      results.add(result);
    }
    if (options.getLatencySeconds() > 0 && best != null) {
      double rate = options.getLatencyRate() > 0 ? options.getLatencyRate() : best / 2;
      String runner = options.getContenders().contains("flink") ? "flink" : "direct";
      results.add(measureLatency(runner, rate));
    }
    report();
  }

  private record Preloaded(String topic, GeneratorStats stats, double producedPerSecond) {}

  private Preloaded preload(String topic, int events) {
    stack.createTopics(Map.of(topic, options.getPartitions()));
    long start = System.nanoTime();
    GeneratorStats stats =
        GeneratePayments.produce(
            KafkaConnection.to(stack.kafkaBootstrapServers()),
            topic,
            () -> PaymentGenerator.builder().seed(11).customers(Math.max(100, events / 50)).backfill(events, System.currentTimeMillis()).build());
    double rate = stats.total() / ((System.nanoTime() - start) / 1e9);
    System.out.printf("Preloaded %,d payments into %s at %,.0f records/s: %s%n", stats.total(), topic, rate, stats);
    return new Preloaded(topic, stats, rate);
  }

  private Map<String, Object> measurePipeline(String name, Preloaded input, List<String> runnerArgs) throws Exception {
    String run = name.replaceAll("[^a-z]", "") + System.nanoTime();
    String decisions = "bench-decisions-" + run;
    String deadLetters = "bench-dlq-" + run;
    stack.createTopics(Map.of(decisions, options.getPartitions(), deadLetters, 1));
    List<String> args = new ArrayList<>(runnerArgs);
    args.addAll(
        List.of(
            "--bootstrapServers=" + stack.kafkaBootstrapServers(),
            "--paymentsTopic=" + input.topic,
            "--decisionsTopic=" + decisions,
            "--deadLetterTopic=" + deadLetters,
            "--consumerGroup=bench-" + run));
    long expected = input.stats.count(Kind.VALID) + input.stats.count(Kind.MALFORMED);
    return measure(name, FraudDetectionPipeline.class, args, input.stats.total(), List.of(decisions, deadLetters), expected, null);
  }

  private List<String> limitArgs(Preloaded input) {
    stack.createTopics(Map.of("bench-limit-out", options.getPartitions()));
    return List.of(stack.kafkaBootstrapServers(), input.topic, "bench-limit-out", Long.toString(input.stats.total()));
  }

  private List<String> flinkArgs() {
    return List.of(
        "--runner=FlinkRunner",
        "--flinkMaster=[local]",
        "--streaming=true",
        "--checkpointingInterval=" + options.getCheckpointingMillis(),
        // The default job-manager storage caps a checkpoint at 5 MiB; this job's state outgrows it.
        "--stateBackend=filesystem",
        "--stateBackendStoragePath=file://" + checkpointDir,
        "--parallelism=" + Runtime.getRuntime().availableProcessors());
  }

  private static List<String> directArgs() {
    return List.of("--runner=DirectRunner", "--enforceImmutability=false", "--enforceEncodability=false");
  }

  /**
   * Runs {@code main} in its own JVM until {@code expectedOutput} records are committed on
   * {@code outputs}, then stops it.
   */
  private Map<String, Object> measure(
      String name, Class<?> main, List<String> args, long events, List<String> outputs, long expectedOutput, String latencyTopic)
      throws Exception {
    System.out.printf("Running %s over %,d events ...%n", name, events);
    try (OutputCounter counter = new OutputCounter(stack.kafkaBootstrapServers(), outputs, latencyTopic)) {
      long start = System.nanoTime();
      Process process = startJvm(main, args);
      try {
        long seen = counter.awaitCount(expectedOutput, Duration.ofMinutes(options.getTimeoutMinutes()), process::isAlive);
        if (seen < expectedOutput) {
          throw new IllegalStateException(
              name + " committed only " + seen + " of " + expectedOutput + " records"
                  + (process.isAlive() ? "" : "; it exited with " + process.exitValue() + ", see its log"));
        }
        ProcessStats stats = ProcessStats.of(process.pid());
        double seconds = (counter.lastVisibleNanos() - start) / 1e9;
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("contender", name);
        result.put("events", events);
        result.put("seconds", seconds);
        result.put("events_per_second", events / seconds);
        result.put("steady_events_per_second", events / ((counter.lastVisibleNanos() - counter.firstVisibleNanos()) / 1e9));
        result.put("peak_rss_mib", stats.peakRssBytes() / (1024 * 1024));
        result.put("cpu_seconds_per_million_events", stats.cpuSeconds() * 1e6 / events);
        result.put("latency_ms", latencyTopic == null ? null : Percentiles.of(counter.latenciesMillis()));
        System.out.printf("  %s: %,.0f events/s (%.1f s), peak RSS %,d MiB%n", name, events / seconds, seconds, stats.peakRssBytes() >> 20);
        return result;
      } finally {
        process.destroy();
        if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
        }
      }
    }
  }

  private Map<String, Object> measureLatency(String runner, double rate) throws Exception {
    int seconds = options.getLatencySeconds();
    String topic = "bench-live-" + System.nanoTime();
    stack.createTopics(Map.of(topic, options.getPartitions()));
    System.out.printf("Latency mode: %s at %,.0f events/s for %d s ...%n", runner, rate, seconds);
    List<GeneratedRecord> live = new ArrayList<>();
    PaymentGenerator.builder()
        .seed(13)
        .customers(5_000)
        .eventsPerSecond(rate)
        .peakMultiplier(1)
        .startMillis(System.currentTimeMillis() + 15_000)
        .limit((long) (rate * seconds))
        .build()
        .forEachRemaining(live::add);
    GeneratorStats stats = new GeneratorStats();
    live.forEach(stats::add);
    Thread sender = new Thread(() -> sendOnTime(topic, live), "live-sender");
    String run = "latency" + System.nanoTime();
    String decisions = "bench-decisions-" + run;
    String deadLetters = "bench-dlq-" + run;
    stack.createTopics(Map.of(decisions, options.getPartitions(), deadLetters, 1));
    List<String> args = new ArrayList<>(runner.equals("flink") ? flinkArgs() : directArgs());
    args.addAll(
        List.of(
            "--bootstrapServers=" + stack.kafkaBootstrapServers(),
            "--paymentsTopic=" + topic,
            "--decisionsTopic=" + decisions,
            "--deadLetterTopic=" + deadLetters,
            "--consumerGroup=bench-" + run));
    sender.start();
    Map<String, Object> result =
        measure(runner + " latency @" + Math.round(rate) + "/s", FraudDetectionPipeline.class, args, stats.total(),
            List.of(decisions, deadLetters), stats.count(Kind.VALID) + stats.count(Kind.MALFORMED), decisions);
    sender.join();
    // The rate is offered, not achieved: what matters here is the latency at that load.
    result.put("events_per_second", rate);
    result.put("steady_events_per_second", rate);
    return result;
  }

  /** Sends each record when the wall clock reaches its event time: live traffic. */
  private void sendOnTime(String topic, List<GeneratedRecord> records) {
    try (Producer<String, byte[]> producer = GeneratePayments.newProducer(KafkaConnection.to(stack.kafkaBootstrapServers()))) {
      for (GeneratedRecord record : records) {
        long wait = record.timestampMillis() - System.currentTimeMillis();
        if (wait > 0) {
          Thread.sleep(wait);
        }
        producer.send(new ProducerRecord<>(topic, null, record.timestampMillis(), record.key(), record.value()));
      }
      producer.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Process startJvm(Class<?> main, List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + options.getContenderHeap());
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(a -> a.startsWith("--add-")).toList());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(args);
    Path log = Files.createTempFile("bench-" + main.getSimpleName(), ".log");
    System.out.println("  log: " + log);
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private void report() throws IOException {
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("when", Instant.now().toString());
    report.put("machine", Machine.describe());
    report.put("results", results);
    System.out.println();
    System.out.printf("%-28s %12s %12s %8s %10s %10s %10s %10s %12s%n",
        "contender", "events", "events/s", "ratio", "p50 ms", "p95 ms", "p99 ms", "RSS MiB", "CPU s/M ev");
    for (Map<String, Object> r : results) {
      Percentiles latency = (Percentiles) r.get("latency_ms");
      System.out.printf("%-28s %,12d %,12.0f %8s %10s %10s %10s %,10d %,12.1f%n",
          r.get("contender"), (long) r.get("events"), (double) r.get("events_per_second"),
          r.get("ratio_to_limit") == null ? "-" : String.format("%.2f", (double) r.get("ratio_to_limit")),
          latency == null ? "-" : latency.p50(), latency == null ? "-" : latency.p95(), latency == null ? "-" : latency.p99(),
          (long) r.get("peak_rss_mib"), (double) r.get("cpu_seconds_per_million_events"));
    }
    Path dir = Path.of(options.getResultsDir());
    Files.createDirectories(dir);
    Path file = dir.resolve("bench-" + Instant.now().toString().replace(':', '-') + ".json");
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), report);
    System.out.println("Machine: " + report.get("machine"));
    System.out.println("Results written to " + file);
  }
}
