package dev.paystream.transforms.features;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import org.apache.beam.sdk.util.CoderUtils;
import org.junit.Test;

public class CustomerHistoryTest {
  private static final long NOON = 12 * CustomerHistory.ONE_HOUR;

  @Test
  public void paymentsAddedToACopyLeaveTheOriginalAsItWas() throws Exception {
    CustomerHistory original = new CustomerHistory();
    for (int i = 0; i < 5; i++) {
      original.addPayment(NOON + i * 60_000L, 1_000 + i, 3);
    }
    byte[] before = CoderUtils.encodeToByteArray(CustomerHistory.coder(), original);

    CustomerHistory copy = original.copy();
    copy.addPayment(NOON + 10 * 60_000L, 50_000, 3);
    copy.addPayment(NOON + 30_000L, 7, 3);

    assertArrayEquals(before, CoderUtils.encodeToByteArray(CustomerHistory.coder(), original));
    // The copy went on from the original's state: 5 earlier payments, then its own.
    assertEquals(7, (long) copy.addPayment(NOON + 11 * 60_000L, 1, 3).getHistoryCount());
  }
}
