package dev.paystream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What a benchmark run measured for one contender, as {@code bench/results/bench-*.json} records
 * it: the basis of {@link CapacityAdvice}.
 *
 * @param file the result file
 * @param contender e.g. {@code flink embedded}
 * @param events payments the contender processed
 * @param cpuSecondsPerMillion the contender process's CPU seconds per million payments
 * @param rate payments per second from the process's start to the last output: start-up counted,
 *     as in the CPU figure
 * @param steadyRate payments per second from first to last output
 * @param cores the measuring machine's cores
 * @param peakRssMib the contender process's peak resident memory
 */
record BenchFigures(
    Path file,
    String contender,
    long events,
    double cpuSecondsPerMillion,
    double rate,
    double steadyRate,
    int cores,
    long peakRssMib) {

  /** The contender that runs the pipeline as users deploy it. */
  static final String FLINK = "flink embedded";

  /** Payments per second one core sustains: a million over the CPU seconds a million took. */
  double perCoreRate() {
    return 1_000_000 / cpuSecondsPerMillion;
  }

  /**
   * The {@value #FLINK} figures of the newest throughput run in {@code dir} over at least {@code
   * minEvents} payments (smaller runs are mostly start-up).
   */
  static BenchFigures newest(Path dir, long minEvents) {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> f.getFileName().toString().matches("bench-.*\\.json"))
          .sorted(Comparator.comparing((Path f) -> f.getFileName().toString()).reversed()) // names sort by time
          .map(f -> read(f, minEvents))
          .flatMap(Optional::stream)
          .findFirst()
          .orElseThrow(
              () -> new IllegalArgumentException(
                  "no throughput run of '" + FLINK + "' over at least " + minEvents + " payments in " + dir));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Optional<BenchFigures> read(Path file, long minEvents) {
    JsonNode run;
    try {
      run = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable result " + file, e);
    }
    if (!"throughput".equals(run.path("mode").asText())) {
      return Optional.empty();
    }
    for (JsonNode result : run.path("results")) {
      if (FLINK.equals(result.path("contender").asText()) && result.path("events").asLong() >= minEvents) {
        return Optional.of(
            new BenchFigures(
                file,
                FLINK,
                result.get("events").asLong(),
                result.get("cpu_seconds_per_million_events").asDouble(),
                result.path("events_per_second").asDouble(),
                result.get("steady_events_per_second").asDouble(),
                run.at("/machine/cores").asInt(),
                result.path("peak_rss_mib").asLong()));
      }
    }
    return Optional.empty();
  }
}
