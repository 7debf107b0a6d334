package dev.paystream.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.pipelines.generator.GeneratedRecord;
import dev.paystream.pipelines.generator.GeneratedRecord.Kind;
import dev.paystream.pipelines.generator.PaymentGenerator;
import dev.paystream.pipelines.generator.SchemaVersion;
import dev.paystream.schemas.CustomerSession;
import dev.paystream.schemas.FraudDecision;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.PaymentStats;
import dev.paystream.schemas.StatsDimension;
import dev.paystream.transforms.analytics.reference.FinalPanes;
import dev.paystream.transforms.scoring.ScoreFraud;
import dev.paystream.transforms.validate.PaymentFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.util.IllegalMutationException;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;

/**
 * No step of the fraud or the analytics job changes an element it received, or one it emitted
 * after emitting it: what makes Beam's {@code --fasterCopy} safe on Flink, where chained steps then
 * share elements instead of copies ({@link FasterCopy}). The DirectRunner checks both for every
 * step and element when {@code enforceImmutability} is on (its default; our options files and the
 * faster ITs turn it off): it keeps each element's encoded bytes and compares them after the step,
 * and fails the run with an {@link IllegalMutationException}. Here over realistic input, the
 * generator's: both schema versions, duplicates, malformed records and every fraud pattern, through
 * both jobs' steps (merchant features on), with the control that the same options catch a step
 * that does either.
 *
 * <p>Values read from state are not covered: the DirectRunner hands each bundle its own copy of a
 * key's state. The stateful steps copy before they change anything ({@code DeduplicatePayments}'
 * map; {@code CustomerHistoryTest} and {@code MerchantHistoryTest} check that a copy's changes
 * leave the original's bytes as they were). {@code FlinkEmbeddedPipelineIT} runs the fraud job
 * with {@code --fasterCopy} and checks its checkpoints, but a race with a checkpoint is not a
 * reliable test: the old in-place change of the dedup map, put back, passed it.
 */
class InPlaceMutationTest {
  /** PAssert runs its check in this JVM on the DirectRunner: how the results get out of the run. */
  private static final Map<String, List<?>> COLLECTED = new ConcurrentHashMap<>();

  @Test
  void noStepOfEitherJobChangesAnElementItReceivedOrEmitted() {
    List<GeneratedRecord> records = new ArrayList<>();
    PaymentGenerator.builder()
        .seed(5)
        .customers(40)
        .schemaVersion(SchemaVersion.MIXED)
        .fraudFraction(0.05)
        .backfill(1_000, System.currentTimeMillis())
        .build()
        .forEachRemaining(records::add);
    long valid = records.stream().filter(r -> r.kind() == Kind.VALID).count();
    long malformed = records.stream().filter(r -> r.kind() == Kind.MALFORMED).count();

    FraudDetectionOptions options = checkingOptions();
    options.setMerchantFeatures(true); // rules-v3 and the merchant-keyed step
    Pipeline pipeline = Pipeline.create(options);
    PCollectionTuple read =
        ReadDistinctPayments.validateAndDeduplicate(GeneratedStream.read(pipeline, records, 500), options, null, null);
    PCollection<PaymentEvent> payments = read.get(ReadDistinctPayments.PAYMENTS);
    PCollection<FraudDecision> decisions =
        FraudDetectionPipeline.features(payments, options).apply("ScoreFraud", ScoreFraud.with(FraudDetectionPipeline.model(options)));
    AnalyticsPipeline.Windowed windowed = AnalyticsPipeline.windowed(payments, options.as(AnalyticsOptions.class));
    String run = UUID.randomUUID().toString();
    collect(run + "/decisions", decisions);
    collect(run + "/deadLetters", read.get(ReadDistinctPayments.DEAD_LETTERS));
    collect(run + "/stats", windowed.stats());
    collect(run + "/sessions", windowed.sessions());
    pipeline.run().waitUntilFinish();

    assertEquals(valid, COLLECTED.remove(run + "/decisions").size(), "one decision per valid payment");
    assertEquals(malformed, COLLECTED.remove(run + "/deadLetters").size(), "one dead letter per malformed record");
    @SuppressWarnings("unchecked")
    List<PaymentStats> stats = (List<PaymentStats>) COLLECTED.remove(run + "/stats");
    Map<StatsDimension, Long> counted =
        FinalPanes.of(stats, s -> s.getDimension() + "/" + s.getKey(), PaymentStats::getWindow).values().stream()
            .collect(Collectors.groupingBy(PaymentStats::getDimension, Collectors.summingLong(PaymentStats::getPaymentCount)));
    // Tumbling windows hold each payment once; the hour-long category windows every 5 minutes, 12 times.
    assertEquals(Map.of(StatsDimension.MERCHANT, valid, StatsDimension.PAYMENT_METHOD, valid, StatsDimension.MERCHANT_CATEGORY, 12 * valid), counted);
    @SuppressWarnings("unchecked")
    List<CustomerSession> sessions = (List<CustomerSession>) COLLECTED.remove(run + "/sessions");
    assertEquals(
        valid,
        FinalPanes.of(sessions, CustomerSession::getCustomerId, CustomerSession::getWindow).values().stream()
            .mapToLong(CustomerSession::getPaymentCount)
            .sum(),
        "payments in the final sessions");
  }

  /** The control: the same options fail a run whose step changes the element it received... */
  @Test
  void theseOptionsCatchAStepThatChangesItsInput() {
    assertCaught(new ChangesItsInput());
  }

  /** ...or the element it emitted, after emitting it. */
  @Test
  void theseOptionsCatchAStepThatChangesItsOutputAfterEmittingIt() {
    assertCaught(new ChangesItsOutput());
  }

  private static final class ChangesItsInput extends DoFn<PaymentEvent, PaymentEvent> {
    @ProcessElement
    public void process(@Element PaymentEvent payment, OutputReceiver<PaymentEvent> out) {
      payment.setAmount(payment.getAmount() + 1);
      out.output(PaymentEvent.newBuilder(payment).build());
    }
  }

  private static final class ChangesItsOutput extends DoFn<PaymentEvent, PaymentEvent> {
    @ProcessElement
    public void process(@Element PaymentEvent payment, OutputReceiver<PaymentEvent> out) {
      PaymentEvent emitted = PaymentEvent.newBuilder(payment).build();
      out.output(emitted);
      emitted.setAmount(emitted.getAmount() + 1);
    }
  }

  private static final class Drop extends DoFn<PaymentEvent, Void> {
    @ProcessElement
    public void process(@Element PaymentEvent payment) {}
  }

  private static void assertCaught(DoFn<PaymentEvent, PaymentEvent> mutating) {
    GeneratedRecord first = PaymentGenerator.builder().seed(5).customers(5).backfill(20, System.currentTimeMillis()).build().next();
    Pipeline pipeline = Pipeline.create(checkingOptions());
    pipeline
        .apply(Create.of(decoded(first)).withCoder(AvroCoder.of(PaymentEvent.class)))
        .apply(ParDo.of(mutating))
        .setCoder(AvroCoder.of(PaymentEvent.class))
        .apply("Next", ParDo.of(new Drop()));
    // The DirectRunner rethrows it as it is, not wrapped in a PipelineExecutionException.
    IllegalMutationException failure = assertThrows(IllegalMutationException.class, () -> pipeline.run().waitUntilFinish());
    assertTrue(failure.getMessage().contains(mutating.getClass().getSimpleName()), failure::getMessage);
  }

  private static PaymentEvent decoded(GeneratedRecord record) {
    try {
      return PaymentFormat.AUTO.decode(record.value());
    } catch (Exception e) {
      throw new AssertionError("the generator's first record is a valid payment", e);
    }
  }

  /** The DirectRunner with its checks on, as in Beam's TestPipeline. */
  private static FraudDetectionOptions checkingOptions() {
    FraudDetectionOptions options = PipelineOptionsFactory.create().as(FraudDetectionOptions.class);
    options.setRunner(DirectRunner.class);
    options.as(DirectOptions.class).setEnforceImmutability(true);
    options.as(DirectOptions.class).setEnforceEncodability(true);
    return options;
  }

  private static <T> void collect(String key, PCollection<T> results) {
    PAssert.that(key, results).satisfies(all -> {
      List<T> copy = new ArrayList<>();
      all.forEach(copy::add);
      COLLECTED.put(key, copy);
      return null;
    });
  }
}
