package dev.paystream.pipelines;

import dev.paystream.pipelines.generator.GeneratedRecord;
import dev.paystream.pipelines.generator.PaymentGenerator;
import dev.paystream.transforms.validate.PaymentFormat;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Figures, not part of the default test run (the name matches neither surefire's nor failsafe's default includes; run it by name): what reading the payment time costs per record (the
 * extra decode and validation the Kafka source's timestamp policy does), after warm-up.
 * {@code mvn -pl pipelines -am verify -Dtest=EventTimeCostFigures ...}
 */
class EventTimeCostFigures {
  private static final Logger LOG = LoggerFactory.getLogger(EventTimeCostFigures.class);

  @Test
  void microsecondsPerRecord() {
    PaymentEventTimes eventTimes = PaymentEventTimes.from(PipelineOptionsFactory.create().as(PaymentIngestOptions.class));
    for (PaymentFormat format : List.of(PaymentFormat.AVRO, PaymentFormat.JSON)) {
      List<GeneratedRecord> records = new ArrayList<>();
      PaymentGenerator.builder().format(format).backfill(3_000, System.currentTimeMillis()).build().forEachRemaining(records::add);
      long best = Long.MAX_VALUE;
      long accepted = 0;
      for (int round = 0; round < 30; round++) {
        long start = System.nanoTime();
        for (GeneratedRecord record : records) {
          accepted += eventTimes.of(record.value()) == null ? 0 : 1;
        }
        best = Math.min(best, System.nanoTime() - start);
      }
      LOG.info("FIGURES {}: {} us per record to read the payment time (best of 30 rounds over {} records; {} accepted)",
          format, String.format("%.1f", best / 1000.0 / records.size()), records.size(), accepted / 30);
    }
  }
}
