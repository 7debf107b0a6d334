package dev.paystream.transforms.analytics;

import dev.paystream.schemas.MerchantCategory;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.PaymentMethod;
import dev.paystream.schemas.PaymentStatus;
import dev.paystream.transforms.TestPayments;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Seeded random payments over three hours, and a stream that delivers them out of order: each
 * arrives up to {@link #MAX_DELAY} after it happened while the watermark trails arrivals by
 * {@link #WATERMARK_LAG}, so some arrive behind the watermark and after their window's end, but
 * none later than {@link #LATENESS_THAT_ACCEPTS_ALL} allows.
 */
final class GeneratedArrivals {
  static final Duration MAX_DELAY = Duration.standardMinutes(20);
  static final Duration WATERMARK_LAG = Duration.standardMinutes(10);
  static final Duration LATENESS_THAT_ACCEPTS_ALL = Duration.standardHours(1);
  private static final int PER_BATCH = 25;

  private GeneratedArrivals() {}

  /** Merchants m0 to m11 (category by merchant), customers c0 to c39, log-normal amounts. */
  static List<PaymentEvent> payments(int n, long seed) {
    Random random = new Random(seed);
    List<PaymentEvent> payments = new ArrayList<>();
    MerchantCategory[] categories = MerchantCategory.values();
    PaymentMethod[] methods = PaymentMethod.values();
    for (int i = 0; i < n; i++) {
      int merchant = random.nextInt(12);
      long eventTime = TestPayments.T0 + (long) (random.nextDouble() * Duration.standardHours(3).getMillis());
      long amount = Math.round(Math.exp(7 + random.nextGaussian())) + 1;
      payments.add(
          TestPayments.payment("g" + i, "c" + random.nextInt(40), eventTime, amount)
              .setMerchantId("m" + merchant)
              .setMerchantCategory(categories[merchant % categories.length])
              .setPaymentMethod(methods[random.nextInt(methods.length)])
              .setStatus(random.nextDouble() < 0.12 ? PaymentStatus.DECLINED : PaymentStatus.APPROVED)
              .build());
    }
    return payments;
  }

  /** The payments in arrival order, in batches, with early firings due every few batches. */
  @SuppressWarnings("unchecked")
  static TestStream<PaymentEvent> outOfOrder(List<PaymentEvent> payments, long seed) {
    Random random = new Random(seed);
    List<long[]> arrivals = new ArrayList<>(); // {arrival time, index}
    for (int i = 0; i < payments.size(); i++) {
      arrivals.add(new long[] {payments.get(i).getEventTime() + random.nextInt((int) MAX_DELAY.getMillis()), i});
    }
    arrivals.sort(Comparator.comparingLong(a -> a[0]));
    TestStream.Builder<PaymentEvent> stream = TestStream.create(AvroCoder.of(PaymentEvent.class));
    Instant watermark = new Instant(0);
    for (int start = 0; start < arrivals.size(); start += PER_BATCH) {
      List<long[]> batch = arrivals.subList(start, Math.min(start + PER_BATCH, arrivals.size()));
      Instant trailing = new Instant(batch.get(0)[0]).minus(WATERMARK_LAG);
      if (trailing.isAfter(watermark)) {
        watermark = trailing;
        stream = stream.advanceWatermarkTo(watermark);
      }
      List<TimestampedValue<PaymentEvent>> elements = new ArrayList<>();
      for (long[] arrival : batch) {
        PaymentEvent payment = payments.get((int) arrival[1]);
        elements.add(TimestampedValue.of(payment, new Instant(payment.getEventTime())));
      }
      stream =
          stream.addElements(elements.get(0), elements.subList(1, elements.size()).toArray(new TimestampedValue[0]));
      if (start % (2 * PER_BATCH) == 0) {
        stream = stream.advanceProcessingTime(Duration.standardMinutes(1));
      }
    }
    return stream.advanceWatermarkToInfinity();
  }
}
