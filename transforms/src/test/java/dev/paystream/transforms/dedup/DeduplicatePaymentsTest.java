package dev.paystream.transforms.dedup;

import static dev.paystream.transforms.TestPayments.T0;
import static dev.paystream.transforms.TestPayments.at;

import dev.paystream.schemas.PaymentEvent;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

public class DeduplicatePaymentsTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final Duration HORIZON = Duration.standardMinutes(10);

  private static TimestampedValue<PaymentEvent> event(String id, long offsetMillis) {
    return event(id, "cust_1", offsetMillis);
  }

  private static TimestampedValue<PaymentEvent> event(String id, String customer, long offsetMillis) {
    return TimestampedValue.of(at(id, customer, T0 + offsetMillis, 100), new Instant(T0 + offsetMillis));
  }

  @Test
  public void dropsRepeatsWithinTheHorizonEvenWhenTheyArriveLateOrOutOfOrder() {
    TestStream<PaymentEvent> stream =
        TestStream.create(AvroCoder.of(PaymentEvent.class))
            .advanceWatermarkTo(new Instant(T0))
            .addElements(event("a", 0), event("b", 1_000), event("a", 0))
            .advanceProcessingTime(Duration.standardMinutes(1))
            // "c" arrives before the earlier "b" copy is redelivered; watermark moves on a bit.
            .addElements(event("c", 120_000))
            .advanceWatermarkTo(new Instant(T0 + 300_000))
            // A redelivery of "b" behind the watermark, still inside the horizon: dropped.
            .addElements(event("b", 1_000))
            .advanceWatermarkToInfinity();

    PCollection<PaymentEvent> unique = pipeline.apply(stream).apply(DeduplicatePayments.within(HORIZON));

    PAssert.that(unique)
        .containsInAnyOrder(at("a", "cust_1", T0, 100), at("b", "cust_1", T0 + 1_000, 100), at("c", "cust_1", T0 + 120_000, 100));
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void forgetsIdsOnceTheWatermarkPassesTheHorizon() {
    TestStream<PaymentEvent> stream =
        TestStream.create(AvroCoder.of(PaymentEvent.class))
            .advanceWatermarkTo(new Instant(T0))
            .addElements(event("a", 0))
            .advanceWatermarkTo(new Instant(T0).plus(HORIZON).plus(Duration.standardMinutes(1)))
            // Redelivered after the horizon: by design no longer recognised (documented trade-off).
            .addElements(event("a", 0))
            .advanceWatermarkToInfinity();

    PCollection<PaymentEvent> unique = pipeline.apply(stream).apply(DeduplicatePayments.within(HORIZON));

    PAssert.that(unique).containsInAnyOrder(at("a", "cust_1", T0, 100), at("a", "cust_1", T0, 100));
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void aCustomersNewerPaymentsPushOldIdsOutOfTheHorizon() {
    TestStream<PaymentEvent> stream =
        TestStream.create(AvroCoder.of(PaymentEvent.class))
            .advanceWatermarkTo(new Instant(T0))
            .addElements(event("a", 0), event("z", HORIZON.getMillis() + 1))
            // "a" is now more than the horizon behind cust_1's newest payment: forgotten.
            .addElements(event("a", 0))
            // Another customer's state is separate: its ids are still remembered.
            .addElements(event("b", "cust_2", 0), event("b", "cust_2", 0))
            .advanceWatermarkToInfinity();

    PCollection<PaymentEvent> unique = pipeline.apply(stream).apply(DeduplicatePayments.within(HORIZON));

    PAssert.that(unique)
        .containsInAnyOrder(
            at("a", "cust_1", T0, 100),
            at("z", "cust_1", T0 + HORIZON.getMillis() + 1, 100),
            at("a", "cust_1", T0, 100),
            at("b", "cust_2", T0, 100));
    pipeline.run().waitUntilFinish();
  }
}
