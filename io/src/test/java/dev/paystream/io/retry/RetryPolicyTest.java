package dev.paystream.io.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private static final RetryPolicy FAST = policy(3, 1, 4);

  @Test
  void backoffDoublesUpToTheCapWithJitterOfAtMostHalf() {
    RetryPolicy policy = policy(RetryPolicy.UNLIMITED, 100, 1_000);

    for (int i = 0; i < 100; i++) {
      assertBetween(50, 100, policy.backoffMillis(0));
      assertBetween(100, 200, policy.backoffMillis(1));
      assertBetween(400, 800, policy.backoffMillis(3));
      assertBetween(500, 1_000, policy.backoffMillis(4));
      assertBetween(500, 1_000, policy.backoffMillis(1_000));
    }
  }

  @Test
  void unlimitedPolicyAlwaysAllowsAnotherRetry() {
    RetryPolicy policy = policy(RetryPolicy.UNLIMITED, 1, 1);

    assertTrue(policy.allowsRetry(Integer.MAX_VALUE - 1));
    assertTrue(FAST.allowsRetry(2));
    assertFalse(FAST.allowsRetry(3));
  }

  @Test
  void rejectsNonsense() {
    assertThrows(IllegalArgumentException.class, () -> policy(-2, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> policy(1, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> policy(1, 2, 1));
  }

  @Test
  void retriesTransientFailuresUntilSuccess() throws IOException {
    AtomicInteger attempts = new AtomicInteger();
    Retrier retrier = FAST.retrier("test", "op", e -> e instanceof IOException);

    String result =
        retrier.call(
            () -> {
              if (attempts.incrementAndGet() < 3) {
                throw new IOException("down");
              }
              return "ok";
            });

    assertEquals("ok", result);
    assertEquals(3, attempts.get());
  }

  @Test
  void givesUpAfterMaxRetriesWithTheLastFailure() {
    AtomicInteger attempts = new AtomicInteger();
    Retrier retrier = FAST.retrier("test", "op", e -> true);

    IOException thrown =
        assertThrows(
            IOException.class,
            () -> retrier.call(() -> {
              throw new IOException("attempt " + attempts.incrementAndGet());
            }));

    assertEquals("attempt 4", thrown.getMessage());
  }

  @Test
  void doesNotRetryPermanentFailures() {
    AtomicInteger attempts = new AtomicInteger();
    IllegalStateException bad = new IllegalStateException("bad data");
    Retrier retrier = FAST.retrier("test", "op", e -> false);

    IllegalStateException thrown =
        assertThrows(
            IllegalStateException.class,
            () -> retrier.call(() -> {
              attempts.incrementAndGet();
              throw bad;
            }));

    assertSame(bad, thrown);
    assertEquals(1, attempts.get());
  }

  private static RetryPolicy policy(int maxRetries, long initialMillis, long maxMillis) {
    return RetryPolicy.of(
        maxRetries, Duration.ofMillis(initialMillis), Duration.ofMillis(maxMillis));
  }

  private static void assertBetween(long low, long high, long actual) {
    assertTrue(low <= actual && actual <= high, actual + " not in [" + low + ", " + high + "]");
  }
}
