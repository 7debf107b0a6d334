package dev.paystream.pipelines.flink;

import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.pipelines.AnalyticsPipeline;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.PaymentStats;
import dev.paystream.schemas.StatsDimension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The analytics crash of the chaos suite: the analytics pipeline is submitted to the session cluster
 * over the payments the fraud phases streamed, its TaskManager is killed with {@code kill -9} once
 * it has committed its first merchant window, and a fresh TaskManager takes over from the last
 * checkpoint. Then every 1-minute merchant window's final pane on the stats topic (read_committed)
 * is held against the payments sent into it: a window whose count or amount is short, or missing,
 * is lost; one that is over, or whose pane was committed twice, is doubled.
 *
 * <p>Only the merchant windows are audited: they all end before the run does, so each gets its
 * ON_TIME pane, while the hour-long windows of the last payments would close only after the run.
 */
final class AnalyticsCrash {
  /** Merchant windows expected, and how many of them were lost or doubled; -1 ms if never recovered. */
  record Result(int windows, int lost, int doubled, long recoveredMillis, String evidence) {}

  private record WindowKey(String merchant, long start) {}

  private AnalyticsCrash() {}

  static Result run(SessionCluster cluster, JobJar jar, LocalStack stack, String payments,
      String run, List<PaymentEvent> sent, Path work, Duration timeout) throws Exception {
    String name = "analytics-" + run;
    String statsTopic = "merchant-stats-" + run;
    stack.createTopics(Map.of(statsTopic, 4, "customer-sessions-" + run, 4, "payments.analytics.dlq-" + run, 1));
    List<String> args = RunnerProfiles.args("flink-cluster.options", List.of(
        "--flinkMaster=" + cluster.master(),
        "--bootstrapServers=" + stack.kafkaBootstrapServers(),
        "--paymentsTopic=" + payments,
        "--statsTopic=" + statsTopic,
        "--sessionsTopic=customer-sessions-" + run,
        "--analyticsDeadLetterTopic=payments.analytics.dlq-" + run,
        "--analyticsConsumerGroup=" + name,
        "--sinkGroupId=" + name + "-sink",
        "--jobName=" + name));
    Map<WindowKey, long[]> expected = expectedMerchantWindows(sent);

    try (KafkaConsumer<byte[], byte[]> consumer = KafkaConnection.to(stack.kafkaBootstrapServers()).readCommittedConsumer()) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer.partitionsFor(statsTopic, Duration.ofSeconds(30)).forEach(p -> partitions.add(new TopicPartition(statsTopic, p.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<WindowKey, List<PaymentStats>> panes = new HashMap<>();

      jar.submit(AnalyticsPipeline.class, args, work.resolve("submit-analytics.log"), timeout);
      String jobId = cluster.awaitRunningJob(name, timeout);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (panes.isEmpty() && System.nanoTime() < deadline) {
        read(consumer, panes);
        requireNotEnded(cluster, jobId);
      }
      long killed = System.nanoTime();
      System.out.printf("chaos: %s: TaskManager kill -9 (analytics) after %d merchant panes%n", java.time.Instant.now(), panes.size());
      cluster.killTaskManager();
      cluster.startTaskManager();
      long recovered = -1;
      deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        read(consumer, panes);
        requireNotEnded(cluster, jobId);
        if (panes.keySet().containsAll(expected.keySet())) {
          recovered = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
          break;
        }
      }
      // A doubled pane would be committed by now: keep reading for a while.
      long quietUntil = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (System.nanoTime() < quietUntil) {
        read(consumer, panes);
      }
      return audit(expected, panes, recovered);
    }
  }

  /**
   * Fails at once when the job has ended (a job that FAILED for good would otherwise show only as
   * a wait of the whole step timeout, as the percentiles coder crash once did).
   */
  private static void requireNotEnded(SessionCluster cluster, String jobId) throws IOException, InterruptedException {
    String state = cluster.jobState(jobId);
    if (state.equals("FAILED") || state.equals("CANCELED") || state.equals("FINISHED")) {
      throw new IllegalStateException("the analytics job " + jobId + " is " + state + ": see the cluster's logs");
    }
  }

  /** Payments and amount per merchant and 1-minute window, from what was sent (valid, distinct). */
  private static Map<WindowKey, long[]> expectedMerchantWindows(List<PaymentEvent> sent) {
    long size = Duration.ofMinutes(1).toMillis();
    Map<WindowKey, long[]> windows = new HashMap<>();
    for (PaymentEvent payment : sent) {
      long[] totals = windows.computeIfAbsent(
          new WindowKey(payment.getMerchantId(), payment.getEventTime() - Math.floorMod(payment.getEventTime(), size)),
          k -> new long[2]);
      totals[0]++;
      totals[1] += payment.getAmount();
    }
    return windows;
  }

  private static void read(KafkaConsumer<byte[], byte[]> consumer, Map<WindowKey, List<PaymentStats>> panes) {
    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
      try {
        PaymentStats stats = PaymentStats.getDecoder().decode(record.value());
        if (stats.getDimension() == StatsDimension.MERCHANT) {
          panes.computeIfAbsent(new WindowKey(stats.getKey(), stats.getWindow().getStart()), k -> new ArrayList<>()).add(stats);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("undecodable stats at " + record.partition() + "@" + record.offset(), e);
      }
    }
  }

  private static Result audit(Map<WindowKey, long[]> expected, Map<WindowKey, List<PaymentStats>> panes, long recovered) {
    int lost = 0;
    int doubled = 0;
    StringBuilder evidence = new StringBuilder();
    for (Map.Entry<WindowKey, long[]> window : expected.entrySet()) {
      List<PaymentStats> committed = panes.getOrDefault(window.getKey(), List.of());
      PaymentStats last = committed.stream().max(java.util.Comparator.comparingLong(s -> s.getWindow().getIndex())).orElse(null);
      long count = last == null || last.getPaymentCount() == null ? 0 : last.getPaymentCount();
      long amount = last == null || last.getAmountSum() == null ? 0 : last.getAmountSum();
      long distinctPanes = committed.stream().mapToLong(s -> s.getWindow().getIndex()).distinct().count();
      if (count < window.getValue()[0] || amount < window.getValue()[1]) {
        lost++;
      } else if (count > window.getValue()[0] || amount > window.getValue()[1] || distinctPanes < committed.size()) {
        doubled++;
      } else {
        continue;
      }
      if (evidence.length() < 2_000) {
        evidence.append(String.format("merchant window %s: sent %d payments (%d), committed %d panes, last %d (%d)%n",
            window.getKey(), window.getValue()[0], window.getValue()[1], committed.size(), count, amount));
      }
    }
    for (WindowKey extra : panes.keySet()) {
      if (!expected.containsKey(extra)) {
        doubled++;
        evidence.append("merchant window without payments: ").append(extra).append('\n');
      }
    }
    return new Result(expected.size(), lost, doubled, recovered, evidence.toString());
  }
}
