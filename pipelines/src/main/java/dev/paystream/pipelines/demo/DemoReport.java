package dev.paystream.pipelines.demo;

import dev.paystream.pipelines.FraudRun;
import dev.paystream.pipelines.detection.DetectionReport;
import dev.paystream.pipelines.generator.GeneratedRecord;
import dev.paystream.pipelines.generator.GeneratedRecord.Kind;
import dev.paystream.pipelines.generator.GeneratorStats;
import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.FraudDecision;
import dev.paystream.transforms.dedup.DeduplicatePayments;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The demo's summary: what went in, what came out, and whether every record is accounted for. */
final class DemoReport {
  private final GeneratorStats sent;
  private final FraudRun.Output output;
  private final DetectionReport detection;

  DemoReport(List<GeneratedRecord> payments, GeneratorStats sent, FraudRun.Output output) {
    this.sent = sent;
    this.output = output;
    this.detection = DetectionReport.of(payments, output.decisions());
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
    // The generator labelled what it injected: how much of it the model caught, and at what cost.
    out.println();
    detection.print("Detection quality of " + decisionModels() + " (flagged: REVIEW or DECLINE; recall per incident)", out);
  }

  private Map<String, Long> byDecision() {
    return output.decisions().stream()
        .collect(Collectors.groupingBy(d -> d.getDecision().name(), TreeMap::new, Collectors.counting()));
  }

  private String decisionModels() {
    return output.decisions().stream().map(FraudDecision::getModelVersion).distinct().sorted().collect(Collectors.joining(", "));
  }

  private Map<String, Long> byReason() {
    return output.deadLetters().stream()
        .collect(Collectors.groupingBy(DeadLetter::getErrorCode, TreeMap::new, Collectors.counting()));
  }
}
