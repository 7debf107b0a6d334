package dev.paystream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CapacityAdviceTest {
  private static final Path FIXTURES = fixtures();
  /** The repository's own results; tests run in bench/. */
  private static final Path MEASURED = Path.of("results");

  @Test
  void readsTheNewestFlinkRunOverEnoughPaymentsAndSkipsOthers() {
    BenchFigures figures = BenchFigures.newest(FIXTURES, 1_000_000);
    assertEquals("bench-2026-01-01T10-00-00Z.json", figures.file().getFileName().toString());
    assertEquals(5_000, figures.perCoreRate(), 1e-9);
    assertEquals(2, figures.cores());
    // A smaller minimum takes the newer, smaller run; the soak file is never a throughput run.
    assertEquals(400, BenchFigures.newest(FIXTURES, 100_000).cpuSecondsPerMillion());
    assertThrows(IllegalArgumentException.class, () -> BenchFigures.newest(FIXTURES, 2_000_000));
  }

  @Test
  void tenThousandPaymentsPerSecond() {
    CapacityPlan plan = plan(10_000);
    assertEquals(3, plan.parallelism()); // ceil(10,000 / (5,000 x 0.7)) = ceil(2.86)
    assertEquals(2, plan.taskManagers()); // ceil(3 / 2)
    assertEquals(6, plan.partitions()); // max(3, ceil(3 MB/s / 5 MB/s) = 1) x 2 = 6, a multiple of 3
    assertEquals((3e6 + 4e6) * 7 * 86_400 * 3 * 1.1, plan.diskBytes(), 1);
    assertTrue(plan.lines().contains("  cores = ceil(10,000 / (5,000 x 0.70 utilisation)) = ceil(2.86) = 3"), plan.lines()::toString);
    assertTrue(plan.lines().stream().anyMatch(l -> l.contains("--partitions 6 --replication-factor 3 --config min.insync.replicas=2 --config retention.ms=604800000")));
  }

  @Test
  void aHundredThousandPaymentsPerSecond() {
    CapacityPlan plan = plan(100_000);
    assertEquals(29, plan.parallelism()); // ceil(28.57)
    assertEquals(15, plan.taskManagers());
    assertEquals(58, plan.partitions()); // max(29, ceil(30 MB/s / 5 MB/s) = 6) x 2
    assertEquals("139.7 TB", CapacityPlan.bytes(plan.diskBytes())); // (30 + 40 MB/s) x 604,800 s x 3 x 1.1
  }

  @Test
  void bytesDecidePartitionsWhenRecordsAreLarge() {
    CapacityPlan plan =
        new CapacityPlan(10_000, 10_000, 400, 7, BenchFigures.newest(FIXTURES, 1_000_000), 0.7, 2, 5e6, 2, 3, 3);
    assertEquals(42, plan.partitions()); // ceil(100 MB/s / 5 MB/s) = 20, x 2 = 40, next multiple of 3 = 42
  }

  @Test
  void adviceForThisMachineAgreesWithTheBenchmark() {
    BenchFigures measured = BenchFigures.newest(MEASURED, 1_000_000);
    // The whole run's rate (start-up counted, as in the CPU figure), planned at full utilisation,
    // needs exactly the machine's cores ...
    CapacityPlan plan = new CapacityPlan(measured.rate(), 300, 400, 7, measured, 1.0, 2, 5e6, 1, 1, 1);
    assertEquals(measured.cores(), plan.parallelism());
    // ... and the per-core figure (CPU time per payment) predicts that rate within 15%.
    double ratio = measured.rate() / plan.benchMachineRate();
    assertTrue(ratio > 0.85 && ratio <= 1.0, "measured / predicted = " + ratio);
  }

  @Test
  void commandPrintsTheArithmetic() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = new CommandLine(new CapacityAdvice()).execute("--rate=10000", "--resultsDir=" + FIXTURES);
    } finally {
      System.setOut(original);
    }
    assertEquals(0, code);
    String printed = out.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("per core: 1,000,000 / 200.00 CPU s per 1M payments = 5,000 payments/s"), printed);
    assertTrue(printed.contains("TaskManagers = ceil(3 / 2 slots) = 2"), printed);
    assertEquals(2, new CommandLine(new CapacityAdvice()).execute("--resultsDir=" + FIXTURES)); // --rate is required
  }

  private static CapacityPlan plan(double rate) {
    return new CapacityPlan(rate, 300, 400, 7, BenchFigures.newest(FIXTURES, 1_000_000), 0.7, 2, 5e6, 2, 3, 3);
  }

  private static Path fixtures() {
    try {
      return Path.of(CapacityAdviceTest.class.getResource("/capacity").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
