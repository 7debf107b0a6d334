package dev.paystream.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The arithmetic of {@link CapacityAdvice}: from a target payment rate and the benchmark's per-core
 * throughput to Flink parallelism and TaskManagers, Kafka partitions, broker disk and topic
 * settings. Every figure is kept with the line that derives it, so the advice can be checked by hand.
 *
 * @param rate target payments per second
 * @param recordBytes bytes of one payment record on the wire (Avro, with key and headers)
 * @param decisionBytes bytes of one decision record
 * @param retentionDays how long the topics keep records
 * @param figures what the benchmark measured
 * @param utilisation share of each core the plan may use, leaving the rest for catching up after a
 *     restart and for checkpoints
 * @param slotsPerTaskManager task slots (one per core) of a TaskManager
 * @param partitionBytesPerSecond what one partition is planned to take
 * @param growth factor of rate growth the partitions allow for (a topic's partitions can be added
 *     but that re-keys customers, so they are planned ahead)
 * @param replication replicas of each partition
 * @param brokers brokers the disk is spread over
 */
record CapacityPlan(
    double rate,
    int recordBytes,
    int decisionBytes,
    double retentionDays,
    BenchFigures figures,
    double utilisation,
    int slotsPerTaskManager,
    double partitionBytesPerSecond,
    double growth,
    int replication,
    int brokers) {

  /** Index, segment and filesystem overhead over the raw log bytes. */
  static final double DISK_OVERHEAD = 1.10;

  CapacityPlan {
    if (rate <= 0 || recordBytes <= 0 || decisionBytes <= 0 || retentionDays <= 0) {
      throw new IllegalArgumentException("rate, record sizes and retention must be positive");
    }
    if (utilisation <= 0 || utilisation > 1) {
      throw new IllegalArgumentException("utilisation must be in (0, 1], got " + utilisation);
    }
    if (slotsPerTaskManager < 1 || replication < 1 || brokers < replication || growth < 1 || partitionBytesPerSecond <= 0) {
      throw new IllegalArgumentException(
          "need slots >= 1, replication >= 1, brokers >= replication, growth >= 1, partition throughput > 0");
    }
  }

  double perCoreRate() {
    return figures.perCoreRate();
  }

  /** Cores (= Flink parallelism, one slot per core) for the rate at the planned utilisation. */
  int parallelism() {
    return (int) Math.ceil(rate / (perCoreRate() * utilisation));
  }

  int taskManagers() {
    return ceilDiv(parallelism(), slotsPerTaskManager);
  }

  double paymentBytesPerSecond() {
    return rate * recordBytes;
  }

  double decisionBytesPerSecond() {
    return rate * decisionBytes;
  }

  /**
   * Partitions of the payments and decisions topics: enough for every source subtask to read one
   * (more subtasks than partitions sit idle) and for the bytes, times the growth allowed for,
   * rounded up to a multiple of the parallelism so that every subtask reads as many.
   */
  int partitions() {
    int forBytes = (int) Math.ceil(paymentBytesPerSecond() / partitionBytesPerSecond);
    int needed = (int) Math.ceil(Math.max(parallelism(), forBytes) * growth);
    return ceilDiv(needed, parallelism()) * parallelism();
  }

  long retentionSeconds() {
    return Math.round(retentionDays * 86_400);
  }

  /** Bytes on disk across all brokers, both topics, every replica. */
  double diskBytes() {
    return (paymentBytesPerSecond() + decisionBytesPerSecond()) * retentionSeconds() * replication * DISK_OVERHEAD;
  }

  /** What this machine, with the benchmark's cores, would sustain by the per-core figure. */
  double benchMachineRate() {
    return figures.cores() * perCoreRate();
  }

  /** The advice with its arithmetic, line by line. */
  List<String> lines() {
    List<String> out = new ArrayList<>();
    out.add(String.format("Capacity advice for %,.0f payments/s (payment records %d B, decisions %d B, retention %s days)",
        rate, recordBytes, decisionBytes, number(retentionDays)));
    out.add("");
    out.add(String.format("Measured: %s (%s, %,d payments, %d cores)", figures.file(), figures.contender(), figures.events(), figures.cores()));
    out.add(String.format("  per core: 1,000,000 / %.2f CPU s per 1M payments = %,.0f payments/s", figures.cpuSecondsPerMillion(), perCoreRate()));
    // The CPU figure counts the start-up, so it predicts the whole run's rate; the steady rate
    // (first to last output) can exceed it, the more so the shorter the run.
    out.add(String.format("  check: %d cores x %,.0f = %,.0f payments/s; the run measured %,.0f from start (ratio %.2f), %,.0f steady",
        figures.cores(), perCoreRate(), benchMachineRate(), figures.rate(), figures.rate() / benchMachineRate(), figures.steadyRate()));
    out.add("");
    out.add("Flink");
    out.add(String.format("  cores = ceil(%,.0f / (%,.0f x %.2f utilisation)) = ceil(%.2f) = %d",
        rate, perCoreRate(), utilisation, rate / (perCoreRate() * utilisation), parallelism()));
    out.add(String.format("  parallelism = %d (one slot per core); TaskManagers = ceil(%d / %d slots) = %d (%d slots, %d spare)",
        parallelism(), parallelism(), slotsPerTaskManager, taskManagers(), taskManagers() * slotsPerTaskManager,
        taskManagers() * slotsPerTaskManager - parallelism()));
    out.add(String.format("  memory: the benchmark's %d-slot process peaked at %,d MiB RSS: taskmanager.memory.process.size >= %,d MiB for %d slots",
        figures.cores(), figures.peakRssMib(), ceilDiv((int) (figures.peakRssMib() * slotsPerTaskManager), figures.cores()) , slotsPerTaskManager));
    out.add("");
    out.add("Kafka");
    out.add(String.format("  payments in: %,.0f x %d B = %s/s; decisions out: %,.0f x %d B = %s/s",
        rate, recordBytes, bytes(paymentBytesPerSecond()), rate, decisionBytes, bytes(decisionBytesPerSecond())));
    out.add(String.format("  partitions = multiple of %d >= ceil(max(parallelism %d, ceil(%s/s / %s/s per partition) = %d) x growth %s) = %d",
        parallelism(), parallelism(), bytes(paymentBytesPerSecond()), bytes(partitionBytesPerSecond),
        (int) Math.ceil(paymentBytesPerSecond() / partitionBytesPerSecond), number(growth), partitions()));
    out.add(String.format("  disk = (%s/s + %s/s) x %,d s x %d replicas x %.2f overhead = %s; per broker (%d): %s",
        bytes(paymentBytesPerSecond()), bytes(decisionBytesPerSecond()), retentionSeconds(), replication, DISK_OVERHEAD,
        bytes(diskBytes()), brokers, bytes(diskBytes() / brokers)));
    out.add("");
    out.add("Topic settings (payments and fraud-decisions; payments.dlq: 1 partition suffices)");
    out.add(String.format("  --partitions %d --replication-factor %d --config min.insync.replicas=%d --config retention.ms=%d"
            + " --config cleanup.policy=delete --config segment.bytes=1073741824",
        partitions(), replication, Math.max(1, replication - 1), retentionSeconds() * 1000));
    out.add(String.format("  broker: transaction.state.log.replication.factor=%d transaction.state.log.min.isr=%d offsets.topic.replication.factor=%d",
        replication, Math.max(1, replication - 1), replication));
    out.add(String.format("  pipeline: --parallelism=%d --sinkShards=%d", parallelism(), parallelism()));
    return out;
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  private static String number(double value) {
    return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
  }

  /** Decimal units, as disks are sold. */
  static String bytes(double bytes) {
    String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
    int unit = 0;
    while (bytes >= 1000 && unit < units.length - 1) {
      bytes /= 1000;
      unit++;
    }
    return String.format("%.1f %s", bytes, units[unit]);
  }
}
