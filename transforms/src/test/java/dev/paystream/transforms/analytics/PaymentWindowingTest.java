package dev.paystream.transforms.analytics;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.Optional;
import org.joda.time.Duration;
import org.junit.Test;

public class PaymentWindowingTest {
  private static final Duration TEN_MINUTES = Duration.standardMinutes(10);

  @Test
  public void rejectsWindowsThatWouldLoseOrNeverCloseOnPayments() {
    PaymentWindowing tumbling = PaymentWindowing.tumbling(TEN_MINUTES);
    assertThrows(IllegalArgumentException.class, () -> PaymentWindowing.tumbling(Duration.ZERO));
    // Payments between two windows would be in none.
    assertThrows(
        IllegalArgumentException.class, () -> PaymentWindowing.sliding(TEN_MINUTES, Duration.standardMinutes(11)));
    assertThrows(IllegalArgumentException.class, () -> PaymentWindowing.sessions(Duration.millis(-1)));
    assertThrows(IllegalArgumentException.class, () -> tumbling.withAllowedLateness(Duration.millis(-1)));
    assertThrows(IllegalArgumentException.class, () -> tumbling.withEarlyFirings(Duration.ZERO));
  }

  @Test
  public void tellsItsShapeAndFiring() {
    PaymentWindowing sliding =
        PaymentWindowing.sliding(TEN_MINUTES, Duration.standardMinutes(5))
            .withAllowedLateness(Duration.standardMinutes(2));
    assertEquals(PaymentWindowing.Kind.SLIDING, sliding.kind());
    assertEquals(TEN_MINUTES, sliding.size());
    assertEquals(Duration.standardMinutes(5), sliding.period());
    assertEquals(Duration.standardMinutes(2), sliding.allowedLateness());
    assertEquals(Optional.empty(), sliding.earlyFiringDelay());
    assertEquals(TEN_MINUTES, PaymentWindowing.tumbling(TEN_MINUTES).period());
    assertEquals(
        Optional.of(Duration.standardSeconds(30)),
        PaymentWindowing.sessions(TEN_MINUTES).withEarlyFirings(Duration.standardSeconds(30)).earlyFiringDelay());
    // A session has a gap, not a size.
    assertThrows(IllegalStateException.class, () -> PaymentWindowing.sessions(TEN_MINUTES).size());
    assertThrows(IllegalStateException.class, () -> PaymentWindowing.tumbling(TEN_MINUTES).gap());
  }
}
