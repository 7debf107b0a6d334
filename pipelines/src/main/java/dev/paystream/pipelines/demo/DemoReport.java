package dev.paystream.pipelines.demo;

import dev.paystream.pipelines.FraudRun;
import dev.paystream.pipelines.generator.GeneratedRecord;
import dev.paystream.pipelines.generator.GeneratedRecord.Kind;
import dev.paystream.pipelines.generator.GeneratorStats;
import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.Decision;
import dev.paystream.schemas.FraudDecision;
import dev.paystream.transforms.dedup.DeduplicatePayments;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The demo's summary: what went in, what came out, and whether every record is accounted for. */
final class DemoReport {
  private final GeneratorStats sent;
  private final FraudRun.Output output;
  private final Map<String, String> patternByTransaction = new HashMap<>();

  DemoReport(List<GeneratedRecord> payments, GeneratorStats sent, FraudRun.Output output) {
    this.sent = sent;
    this.output = output;
    payments.stream()
        .filter(p -> p.kind() == Kind.VALID)
        .forEach(p -> patternByTransaction.put(p.transactionId(), p.fraudPattern() == null ? "none" : p.fraudPattern()));
  }

  long duplicatesDropped() {
    return output.counter(DeduplicatePayments.METRICS_NAMESPACE, "duplicates");
  }

  /** In = out + dead-lettered + deduplicated, and each term is what the generator put in. */
  boolean balanced() {
    return sent.total() == output.decisions().size() + output.deadLetters().size() + duplicatesDropped()
        && output.decisions().size() == sent.count(Kind.VALID)
        && output.deadLetters().size() == sent.count(Kind.MALFORMED);
  }

  void print(PrintStream out) {
    double seconds = output.elapsed().toMillis() / 1000.0;
    out.println();
    out.println("=== Fraud pipeline summary ===");
    out.printf("Events in:           %,d%n", sent.total());
    out.printf("Decisions:           %,d  %s%n", output.decisions().size(), byDecision());
    out.printf("Dead-lettered:       %,d  %s%n", output.deadLetters().size(), byReason());
    out.printf("Duplicates dropped:  %,d (generated: %,d)%n", duplicatesDropped(), sent.count(Kind.DUPLICATE));
    out.printf("Accounting:          %,d in = %,d decisions + %,d dead letters + %,d duplicates  %s%n",
        sent.total(), output.decisions().size(), output.deadLetters().size(), duplicatesDropped(),
        balanced() ? "OK" : "MISMATCH");
    out.printf("Throughput:          %,.0f events/s (%,d events in %.1f s, from job start to last committed output)%n",
        sent.total() / seconds, sent.total(), seconds);
    out.println("Flagged (REVIEW or DECLINE) by injected pattern:");
    flaggedByPattern().forEach((pattern, rate) -> out.printf("  %-18s %s%n", pattern, rate));
    out.flush();
  }

  private Map<String, Long> byDecision() {
    return output.decisions().stream()
        .collect(Collectors.groupingBy(d -> d.getDecision().name(), TreeMap::new, Collectors.counting()));
  }

  private Map<String, Long> byReason() {
    return output.deadLetters().stream()
        .collect(Collectors.groupingBy(DeadLetter::getErrorCode, TreeMap::new, Collectors.counting()));
  }

  private Map<String, String> flaggedByPattern() {
    Map<String, long[]> counts = new TreeMap<>();
    for (FraudDecision decision : output.decisions()) {
      String pattern = patternByTransaction.getOrDefault(decision.getTransactionId(), "none");
      long[] c = counts.computeIfAbsent(pattern, p -> new long[2]);
      c[0] += decision.getDecision() == Decision.APPROVE ? 0 : 1;
      c[1]++;
    }
    Map<String, String> rates = new TreeMap<>();
    counts.forEach((pattern, c) -> rates.put(pattern, String.format("%,d of %,d (%.1f%%)", c[0], c[1], 100.0 * c[0] / c[1])));
    return rates;
  }
}
