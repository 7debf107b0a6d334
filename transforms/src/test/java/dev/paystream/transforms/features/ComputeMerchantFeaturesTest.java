package dev.paystream.transforms.features;

import static dev.paystream.transforms.features.MerchantHistoryTest.payment;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.transforms.state.StateCoders;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

public class ComputeMerchantFeaturesTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final long T0 = 1_764_000_000_000L;
  private static final long MINUTE = 60_000L;

  private static TimestampedValue<CustomerFeatures> at(CustomerFeatures f) {
    return TimestampedValue.of(f, new Instant(f.getEventTime()));
  }

  @Test
  public void onAStreamEachPaymentSeesAtOnceThePaymentsThatArrivedBeforeItAndAreNotLater() {
    // No watermark moves before the end: the features cannot wait for it. r3 arrives before r2, so
    // it sees r1 only; r2, late, sees r1 and not r3 (later in event time); r4 sees all three; r0,
    // the latest to arrive and the earliest in event time, sees none.
    PCollection<CustomerFeatures> features = pipeline.apply(arrivingOutOfOrder()).apply(ComputeMerchantFeatures.create());

    PAssert.that(features).satisfies(all -> {
      Map<String, CustomerFeatures> f = byTransaction(all);
      assertEquals(6, f.size());
      assertCounts(f.get("r1"), 0, 0);
      assertCounts(f.get("r3"), 1, 1);
      assertCounts(f.get("r2"), 1, 1);
      assertCounts(f.get("r4"), 3, 2);
      assertCounts(f.get("r0"), 0, 0);
      assertEquals(2 / 8.0, f.get("r4").getMerchantRiskScore(), 1e-12);
      assertNull(f.get("old").getMerchantPayments30m());
      return null;
    });
    pipeline.run().waitUntilFinish();
  }

  /** r1, r3, r2 with a payment without merchant, r4, r0: one merchant's payments out of event-time order. */
  private static TestStream<CustomerFeatures> arrivingOutOfOrder() {
    CustomerFeatures old = CustomerFeatures.newBuilder(payment("old", T0, 500, 0, false)).setMerchantId(null).build();
    return TestStream.create(StateCoders.avro(CustomerFeatures.class))
        .addElements(at(payment("r1", T0 + MINUTE, 3_000, 3, true)))
        .addElements(at(payment("r3", T0 + 3 * MINUTE, 3_000, 0, true)))
        .addElements(at(payment("r2", T0 + 2 * MINUTE, 3_000, 0, false)), at(old))
        .addElements(at(payment("r4", T0 + 4 * MINUTE, 3_000, 0, false)))
        .addElements(at(payment("r0", T0 + 30_000, 3_000, 3, false)))
        .advanceWatermarkToInfinity();
  }

  @Test
  public void onAStreamInEventTimeOrderEachPaymentWaitsForTheWatermarkAndSeesAllEarlierPayments() {
    // The same arrivals as above; held until the watermark passes them, each payment sees every
    // earlier one in event time (risky: r0 and r1 by amount, r3 declined), whenever it arrived.
    PCollection<CustomerFeatures> features =
        pipeline.apply(arrivingOutOfOrder()).apply(ComputeMerchantFeatures.create().inEventTimeOrder());

    PAssert.that(features).satisfies(all -> {
      Map<String, CustomerFeatures> f = byTransaction(all);
      assertEquals(6, f.size());
      assertCounts(f.get("r0"), 0, 0);
      assertCounts(f.get("r1"), 1, 1);
      assertCounts(f.get("r2"), 2, 2);
      assertCounts(f.get("r3"), 3, 2);
      assertCounts(f.get("r4"), 4, 3);
      assertEquals(3 / 9.0, f.get("r4").getMerchantRiskScore(), 1e-12);
      assertNull(f.get("old").getMerchantPayments30m());
      return null;
    });
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void onBoundedInputTheFeaturesAreThoseOfEventTimeOrderWhateverTheArrivalOrder() {
    // A backfill in batch mode hands a keyed step its input in no order: newest first here.
    CustomerFeatures old = CustomerFeatures.newBuilder(payment("old", T0, 500, 0, false)).setMerchantId(null).build();
    PCollection<CustomerFeatures> payments =
        pipeline.apply(
            Create.timestamped(
                    at(payment("r4", T0 + 4 * MINUTE, 3_000, 3, false)),
                    at(payment("r3", T0 + 3 * MINUTE, 3_000, 3, true)),
                    at(payment("r2", T0 + 2 * MINUTE, 3_000, 3, false)),
                    at(payment("r1", T0 + MINUTE, 3_000, 3, true)),
                    at(old),
                    at(payment("r0", T0 + 30_000, 3_000, 3, false)))
                .withCoder(StateCoders.avro(CustomerFeatures.class)));

    PCollection<CustomerFeatures> features = payments.apply(ComputeMerchantFeatures.create());

    PAssert.that(features).satisfies(all -> {
      Map<String, CustomerFeatures> f = byTransaction(all);
      assertEquals(6, f.size());
      String[] order = {"r0", "r1", "r2", "r3", "r4"};
      for (int i = 0; i < order.length; i++) {
        assertCounts(f.get(order[i]), i, i);
      }
      assertEquals(4 / 9.0, f.get("r4").getMerchantRiskScore(), 1e-12);
      assertNull(f.get("old").getMerchantPayments30m());
      return null;
    });
    pipeline.run().waitUntilFinish();
  }

  private static Map<String, CustomerFeatures> byTransaction(Iterable<CustomerFeatures> all) {
    Map<String, CustomerFeatures> f = new HashMap<>();
    all.forEach(x -> f.put(x.getTransactionId(), x));
    return f;
  }

  private static void assertCounts(CustomerFeatures f, int payments, int risky) {
    assertEquals(f.getTransactionId() + " payments", payments, (int) f.getMerchantPayments30m());
    assertEquals(f.getTransactionId() + " risky", risky, (int) f.getMerchantRisky30m());
  }
}
