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
  public void featuresAreThoseOfEventTimeOrderWhateverTheArrivalOrder() {
    // A merchant's run arrives newest first (as a customer-keyed step may hand it on); a payment
    // without a merchant id (an earlier release's, restored) passes through untouched.
    CustomerFeatures old = CustomerFeatures.newBuilder(payment("old", T0, 500, 0, false)).setMerchantId(null).build();
    TestStream<CustomerFeatures> stream =
        TestStream.create(StateCoders.avro(CustomerFeatures.class))
            .advanceWatermarkTo(new Instant(T0 - MINUTE))
            .addElements(
                at(payment("r4", T0 + 4 * MINUTE, 3_000, 3, false)),
                at(payment("r3", T0 + 3 * MINUTE, 3_000, 3, true)),
                at(payment("r2", T0 + 2 * MINUTE, 3_000, 3, false)),
                at(payment("r1", T0 + MINUTE, 3_000, 3, true)),
                at(old))
            // Late for the first ones, but before the watermark reaches r1: still in order.
            .addElements(at(payment("r0", T0 + 30_000, 3_000, 3, false)))
            .advanceWatermarkToInfinity();

    PCollection<CustomerFeatures> features = pipeline.apply(stream).apply(ComputeMerchantFeatures.create());

    PAssert.that(features).satisfies(all -> {
      Map<String, CustomerFeatures> f = new HashMap<>();
      all.forEach(x -> f.put(x.getTransactionId(), x));
      assertEquals(6, f.size());
      String[] order = {"r0", "r1", "r2", "r3", "r4"};
      for (int i = 0; i < order.length; i++) {
        assertEquals(order[i], i, (int) f.get(order[i]).getMerchantPayments30m());
        assertEquals(order[i], i, (int) f.get(order[i]).getMerchantRisky30m());
      }
      assertEquals(4 / 9.0, f.get("r4").getMerchantRiskScore(), 1e-12);
      assertNull(f.get("old").getMerchantPayments30m());
      return null;
    });
    pipeline.run().waitUntilFinish();
  }
}
