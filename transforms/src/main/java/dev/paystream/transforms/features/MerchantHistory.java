package dev.paystream.transforms.features;

import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.transforms.state.VersionedCoder;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CustomCoder;

/**
 * What we remember about one merchant: its recent payments (event time, and whether each was
 * risky: declined, or unusual for its own customer) and running statistics of the log amounts of
 * its ordinary payments. Bounded: payments older than {@link #KEEP} before the merchant's latest
 * are dropped, and at most {@link #MAX_RECENT} are kept (the newest), so a merchant busier than
 * that sees rates over its last {@value #MAX_RECENT} payments and a saturated count.
 *
 * <p>Point in time, as {@link CustomerHistory}: a payment's merchant features count only the
 * merchant's payments added before it with an event time at or before its own, whatever order they
 * arrive in (within {@link #KEEP}). The amount statistics are habits, not exact history: they
 * include every payment processed before.
 */
final class MerchantHistory {
  /** The window of the recent-payment features: a compromised merchant's run lasts minutes. */
  static final long WINDOW = 30 * 60_000L;
  /** Recent payments are kept this long before the latest: the window plus lateness. */
  static final long KEEP = 2 * WINDOW;
  static final int MAX_RECENT = 256;
  /** Pseudo-payments without risk in the risk score's denominator: 1 risky of 1 is no 100%. */
  static final int RISK_PRIOR_PAYMENTS = 5;
  /** A payment this far above its customer's mean (z-score) is unusual for its customer. */
  static final double UNUSUAL_FOR_CUSTOMER_ZSCORE = 2.0;
  /** Payments behind the amount statistics before amount_vs_merchant speaks. */
  static final long MIN_AMOUNT_HISTORY = 10;
  /**
   * The amount statistics weigh at most this many payments: beyond, each new one moves them as the
   * 500th would, so a merchant's typical amount follows slow change.
   */
  static final long AMOUNT_MEMORY = 500;

  private long[] times;
  private boolean[] risky;
  private long amountCount;
  private double logMean;
  private double logM2;
  private long latestTime;

  MerchantHistory() {
    this(new long[0], new boolean[0], 0, 0, 0, Long.MIN_VALUE);
  }

  private MerchantHistory(long[] times, boolean[] risky, long amountCount, double logMean, double logM2, long latestTime) {
    this.times = times;
    this.risky = risky;
    this.amountCount = amountCount;
    this.logMean = logMean;
    this.logM2 = logM2;
    this.latestTime = latestTime;
  }

  /** A history that changes independently of this one (the arrays are only ever replaced). */
  MerchantHistory copy() {
    return new MerchantHistory(times, risky, amountCount, logMean, logM2, latestTime);
  }

  long latestTime() {
    return latestTime;
  }

  /**
   * The payment's features with the merchant's added (from the payments added before it and not
   * later than it in event time), then the payment remembered.
   */
  CustomerFeatures addPayment(CustomerFeatures payment) {
    long time = payment.getEventTime();
    int payments = 0;
    int riskyPayments = 0;
    for (int i = 0; i < times.length; i++) {
      if (times[i] > time - WINDOW && times[i] <= time) {
        payments++;
        riskyPayments += risky[i] ? 1 : 0;
      }
    }
    double logAmount = Math.log(Math.max(1, payment.getAmount()));
    double stddev = amountCount > 1 ? Math.sqrt(logM2 / (amountCount - 1)) : 0;
    CustomerFeatures features =
        CustomerFeatures.newBuilder(payment)
            .setMerchantPayments30m(payments)
            .setMerchantRisky30m(riskyPayments)
            .setMerchantRiskScore(riskyPayments / (double) (payments + RISK_PRIOR_PAYMENTS))
            .setAmountVsMerchant(
                amountCount >= MIN_AMOUNT_HISTORY && stddev > 0 ? (logAmount - logMean) / stddev : null)
            .build();

    boolean isRisky = isRisky(payment);
    insert(time, isRisky);
    if (!isRisky) {
      // Risky payments describe the fraud, not the merchant's customers: the typical amount does
      // not learn them (a compromised run must not make its own amounts look ordinary).
      learnAmount(logAmount);
    }
    latestTime = Math.max(latestTime, time);
    prune();
    return features;
  }

  /** Welford's update; at {@link #AMOUNT_MEMORY} payments, an exponentially weighted one. */
  private void learnAmount(double logAmount) {
    double delta = logAmount - logMean;
    if (amountCount < AMOUNT_MEMORY) {
      amountCount++;
      logMean += delta / amountCount;
      logM2 += delta * (logAmount - logMean);
    } else {
      double weight = 1.0 / AMOUNT_MEMORY;
      double variance = (1 - weight) * (logM2 / (amountCount - 1) + weight * delta * delta);
      logMean += weight * delta;
      logM2 = variance * (amountCount - 1);
    }
  }

  /** Declined by the issuer, or far above what its own customer usually pays. */
  static boolean isRisky(CustomerFeatures payment) {
    return Boolean.TRUE.equals(payment.getPaymentDeclined())
        || payment.getAmountZscore() >= UNUSUAL_FOR_CUSTOMER_ZSCORE;
  }

  private void insert(long time, boolean isRisky) {
    int at = times.length;
    while (at > 0 && times[at - 1] > time) {
      at--;
    }
    long[] grownTimes = new long[times.length + 1];
    boolean[] grownRisky = new boolean[risky.length + 1];
    System.arraycopy(times, 0, grownTimes, 0, at);
    System.arraycopy(risky, 0, grownRisky, 0, at);
    grownTimes[at] = time;
    grownRisky[at] = isRisky;
    System.arraycopy(times, at, grownTimes, at + 1, times.length - at);
    System.arraycopy(risky, at, grownRisky, at + 1, risky.length - at);
    times = grownTimes;
    risky = grownRisky;
  }

  private void prune() {
    int first = Math.max(0, times.length - MAX_RECENT);
    while (first < times.length && times[first] <= latestTime - KEEP) {
      first++;
    }
    if (first > 0) {
      times = Arrays.copyOfRange(times, first, times.length);
      risky = Arrays.copyOfRange(risky, first, risky.length);
    }
  }

  /**
   * The state coder: {@link VersionedCoder} over the layouts below (one so far), so that a later
   * release reads this one's savepoints. A new field means a new layout class appended to the list
   * and its golden bytes under test resources ({@code StateCoderCompatibilityTest}).
   */
  static Coder<MerchantHistory> coder() {
    return VersionedCoder.of(null, List.of(new LayoutV1()));
  }

  /** Version 1: the recent payments (time, risky), the log-amount statistics, the latest time. */
  static final class LayoutV1 extends CustomCoder<MerchantHistory> {
    /** Pinned at its computed value: see {@link dev.paystream.transforms.state.VersionedCoder}. */
    private static final long serialVersionUID = 2807936257554313426L;

    @Override
    public void encode(MerchantHistory history, OutputStream outStream) throws IOException {
      DataOutputStream out = new DataOutputStream(outStream);
      out.writeInt(history.times.length);
      for (int i = 0; i < history.times.length; i++) {
        out.writeLong(history.times[i]);
        out.writeBoolean(history.risky[i]);
      }
      out.writeLong(history.amountCount);
      out.writeDouble(history.logMean);
      out.writeDouble(history.logM2);
      out.writeLong(history.latestTime);
      out.flush();
    }

    @Override
    public MerchantHistory decode(InputStream inStream) throws IOException {
      DataInputStream in = new DataInputStream(inStream);
      int n = in.readInt();
      if (n < 0 || n > MAX_RECENT) {
        throw new IOException("corrupt state: " + n + " recent payments");
      }
      long[] times = new long[n];
      boolean[] risky = new boolean[n];
      for (int i = 0; i < n; i++) {
        times[i] = in.readLong();
        risky[i] = in.readBoolean();
      }
      return new MerchantHistory(times, risky, in.readLong(), in.readDouble(), in.readDouble(), in.readLong());
    }

    @Override
    public void verifyDeterministic() {}
  }
}
