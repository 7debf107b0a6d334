package dev.paystream.bench;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Capacity advice ({@code bash bench/capacity.sh --rate=10000}): the partitions, Flink parallelism
 * and TaskManagers, broker disk and topic settings a target payment rate needs, from the per-core
 * throughput the benchmark measured (the newest {@code bench/results/bench-*.json}), with the
 * arithmetic printed. See {@link CapacityPlan}.
 */
@Command(name = "capacity", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Partitions, Flink parallelism and TaskManagers, broker disk and topic settings for a payment rate")
public final class CapacityAdvice implements Callable<Integer> {
  @Option(names = "--rate", required = true, description = "Target payments per second")
  double rate;

  @Option(names = "--recordBytes", defaultValue = "300", description = "Bytes of one payment record on the wire (Avro ~250 B + key, headers). Default: ${DEFAULT-VALUE}")
  int recordBytes;

  @Option(names = "--decisionBytes", defaultValue = "400", description = "Bytes of one decision record (with its features). Default: ${DEFAULT-VALUE}")
  int decisionBytes;

  @Option(names = "--retentionDays", defaultValue = "7", description = "Days the topics keep records. Default: ${DEFAULT-VALUE}")
  double retentionDays;

  @Option(names = "--resultsDir", defaultValue = "bench/results", description = "Benchmark results to read the per-core throughput from. Default: ${DEFAULT-VALUE}")
  Path resultsDir;

  @Option(names = "--minEvents", defaultValue = "1000000", description = "Smallest benchmark run (payments) taken as a measurement. Default: ${DEFAULT-VALUE}")
  long minEvents;

  @Option(names = "--utilisation", defaultValue = "0.7", description = "Share of each core planned for steady load; the rest absorbs catch-up after restarts. Default: ${DEFAULT-VALUE}")
  double utilisation;

  @Option(names = "--slotsPerTaskManager", defaultValue = "2", description = "Task slots (cores) per TaskManager. Default: ${DEFAULT-VALUE}")
  int slotsPerTaskManager;

  @Option(names = "--partitionMBps", defaultValue = "5", description = "MB/s planned per partition. Default: ${DEFAULT-VALUE}")
  double partitionMBps;

  @Option(names = "--growth", defaultValue = "2", description = "Rate growth the partitions allow for. Default: ${DEFAULT-VALUE}")
  double growth;

  @Option(names = "--replication", defaultValue = "3", description = "Replicas per partition. Default: ${DEFAULT-VALUE}")
  int replication;

  @Option(names = "--brokers", defaultValue = "3", description = "Brokers the disk is spread over. Default: ${DEFAULT-VALUE}")
  int brokers;

  public static void main(String[] args) {
    System.exit(new CommandLine(new CapacityAdvice()).execute(args));
  }

  CapacityPlan plan() {
    return new CapacityPlan(rate, recordBytes, decisionBytes, retentionDays, BenchFigures.newest(resultsDir, minEvents),
        utilisation, slotsPerTaskManager, partitionMBps * 1_000_000, growth, replication, brokers);
  }

  @Override
  public Integer call() {
    plan().lines().forEach(System.out::println);
    return 0;
  }
}
