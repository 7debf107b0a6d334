package dev.paystream.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.pipelines.generator.GeneratedRecord;
import dev.paystream.pipelines.generator.GeneratedRecord.Kind;
import dev.paystream.pipelines.generator.PaymentGenerator;
import dev.paystream.transforms.dedup.DeduplicatePayments;
import dev.paystream.transforms.validate.PaymentFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 9's backfill: payments whose event times are spread over 7 days in random order, 1% of
 * them re-sent shortly after the original in arrival order. The event-time dedup forgot most
 * originals before their re-send came (about three quarters got two decisions); dedup by arrival
 * gives each transaction exactly one committed decision. Kafka record timestamps stay the payments'
 * own times, as the generator writes them.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(360)
class ShuffledBackfillIT {
  private static final int PAYMENTS = 2_000;
  private static final long WEEK_SECONDS = Duration.ofDays(7).toSeconds();

  @Test
  void reSendsOfAShuffledWeekAreDecidedOnce(LocalStack stack) throws Exception {
    String run = "shuffled" + System.nanoTime();
    FraudDetectionOptions options = FraudDetectionPipelineIT.options(stack, run);
    stack.createTopics(
        Map.of(options.getPaymentsTopic(), 4, options.getDecisionsTopic(), 4, options.getDeadLetterTopic(), 1));
    KnownInput input = KnownInput.of(shuffledWeekWithReSends(new Random(9)));
    input.produce(KafkaConnections.from(options), options.getPaymentsTopic(), 0, input.records.size());

    FraudRun.Output output =
        FraudRun.runUntil(
            options, input.validIds.size(), input.malformedReasons.size(), Duration.ofMinutes(4), Duration.ofSeconds(5));

    input.assertExactlyOnce(output.decisions(), output.deadLetters(), options.getPaymentsTopic());
    assertEquals(input.duplicates(), output.counter(DeduplicatePayments.METRICS_NAMESPACE, "duplicates"));
  }

  /** A week of seed-style payments in random order; 1% re-sent 1 to 20 records after the original. */
  private static List<GeneratedRecord> shuffledWeekWithReSends(Random random) {
    List<GeneratedRecord> week = new ArrayList<>(PAYMENTS);
    PaymentGenerator.builder()
        .seed(7)
        .customers(100)
        .format(PaymentFormat.AVRO)
        .eventsPerSecond((double) PAYMENTS / WEEK_SECONDS)
        .duplicateFraction(0)
        .malformedFraction(0.01)
        .backfill(PAYMENTS, System.currentTimeMillis())
        .build()
        .forEachRemaining(week::add);
    Collections.shuffle(week, random);
    List<GeneratedRecord> arrivals = new ArrayList<>(week);
    for (GeneratedRecord original : week) {
      if (original.kind() == Kind.VALID && random.nextDouble() < 0.01) {
        int at = Math.min(arrivals.indexOf(original) + 1 + random.nextInt(20), arrivals.size());
        arrivals.add(at, reSend(original));
      }
    }
    return arrivals;
  }

  private static GeneratedRecord reSend(GeneratedRecord original) {
    return new GeneratedRecord(
        original.key(), original.value(), original.timestampMillis(), Kind.DUPLICATE, original.transactionId(), null, null);
  }
}
