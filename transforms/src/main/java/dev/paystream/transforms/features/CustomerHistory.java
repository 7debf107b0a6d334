package dev.paystream.transforms.features;

import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.PaymentStatus;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import dev.paystream.transforms.state.VersionedCoder;
import java.util.List;
import org.apache.beam.sdk.coders.CustomCoder;

/**
 * What we remember about one customer: the payments of the last 24 hours (time and amount, sorted
 * by event time), running amount statistics (Welford) over all earlier payments, and how often the
 * customer paid at each hour of the day. Its size is bounded by the payments of one day.
 *
 * <p>Features are point in time: a payment only sees payments with an event time at or before its
 * own, even when it arrives out of order. The 24-hour buffer is trimmed against the latest event
 * time seen, so a payment arriving d late misses payments older than 24h - d from its own time.
 */
final class CustomerHistory {
  static final long TWO_MINUTES = 2 * 60_000L;
  /** Payments this far out describe a fraud, not the customer: the profile does not learn them. */
  static final double OUTLIER_ZSCORE = 6.0;
  static final int OUTLIER_HOURS = 3;
  static final long FIVE_MINUTES = 5 * 60_000L;
  static final long ONE_HOUR = 60 * 60_000L;
  static final long ONE_DAY = 24 * ONE_HOUR;

  private long[] times;
  private long[] amounts;
  private long count;
  private double mean;
  private double m2;
  private final int[] hourCounts;
  private long latestTime;
  private DevicesAndPlaces places = DevicesAndPlaces.NONE;
  private KnownMerchants merchants = KnownMerchants.NONE;

  CustomerHistory() {
    this(new long[0], new long[0], 0, 0, 0, new int[24], Long.MIN_VALUE);
  }

  private CustomerHistory(
      long[] times, long[] amounts, long count, double mean, double m2, int[] hourCounts, long latestTime) {
    this.times = times;
    this.amounts = amounts;
    this.count = count;
    this.mean = mean;
    this.m2 = m2;
    this.hourCounts = hourCounts;
    this.latestTime = latestTime;
  }

  /**
   * A history that changes independently of this one. The payment arrays are shared: they are
   * only ever replaced, never written into.
   */
  CustomerHistory copy() {
    CustomerHistory copy = new CustomerHistory(times, amounts, count, mean, m2, hourCounts.clone(), latestTime);
    copy.places = places; // immutable
    copy.merchants = merchants; // immutable
    return copy;
  }

  /** Whether any payment joined this history. */
  boolean hasPayments() {
    return latestTime != Long.MIN_VALUE;
  }

  long latestTime() {
    return latestTime;
  }

  /**
   * Computes the features of a payment, device, place and merchant included (PaymentEvent v2's
   * device id; the location and merchant v1 has), then remembers the payment. The merchant's own
   * features come later, from the merchant-keyed step ({@code ComputeMerchantFeatures}).
   */
  CustomerFeatures.Builder addPayment(PaymentEvent payment, int minHistory) {
    long time = payment.getEventTime();
    Boolean newMerchant = merchants.newMerchant(payment.getMerchantId(), time);
    merchants = merchants.with(payment.getMerchantId(), time);
    Boolean newDevice = places.newDevice(payment.getDeviceId(), time);
    Double kmPerHour = places.kmPerHour(payment.getLocation(), time);
    Double kmFromHome = places.kmFromHome(payment.getLocation());
    places = places.with(payment.getDeviceId(), payment.getLocation(), time);
    Integer hoursFromUsual = hoursFromUsual(Instant.ofEpochMilli(time).atZone(ZoneOffset.UTC).getHour(), minHistory);
    return addPayment(time, payment.getAmount(), minHistory, true, hoursFromUsual != null && hoursFromUsual >= OUTLIER_HOURS)
        .setHoursFromUsual(hoursFromUsual)
        .setNewDevice(newDevice)
        .setKmPerHourSincePrevious(kmPerHour)
        .setKmFromHome(kmFromHome)
        .setPaymentsLast2mExcess(excessPayments2m(time))
        .setMerchantId(payment.getMerchantId())
        .setPaymentDeclined(payment.getStatus() == PaymentStatus.DECLINED)
        .setNewMerchant(newMerchant);
  }

  /**
   * Hours either way round the clock from {@code hour} to the nearest hour of an earlier payment;
   * null below {@code minHistory} payments, like unusual_hour (which is this at 2 or more).
   */
  private Integer hoursFromUsual(int hour, int minHistory) {
    if (count < minHistory || count == 0) {
      return null;
    }
    int distance = 0;
    while (hourCounts[(hour + distance) % 24] == 0 && hourCounts[(hour + 24 - distance) % 24] == 0) {
      distance++;
    }
    return distance;
  }

  /**
   * Payments in (t-2m, t] (the one just added included) beyond what the customer's own pace over
   * (t-1h, t-2m] predicts for 2 minutes. A fixed count ("5 in 5 minutes") flags every payment of a
   * customer who pays often and misses a burst of one who rarely does; against their own pace both
   * stand out. From the payments of the last day the history keeps anyway: no new state.
   */
  private double excessPayments2m(long time) {
    int recent = countIn(time - TWO_MINUTES, time);
    int before = countIn(time - ONE_HOUR, time - TWO_MINUTES);
    return recent - before * (double) TWO_MINUTES / (ONE_HOUR - TWO_MINUTES);
  }

  /** Computes the amount, velocity and hour features of a payment, then remembers the payment. */
  CustomerFeatures.Builder addPayment(long time, long amount, int minHistory) {
    return addPayment(time, amount, minHistory, false, false);
  }

  /**
   * Like {@link #addPayment(long, long, int)}; with {@code robust}, a payment far outside the
   * customer's profile (an amount z-score of {@value #OUTLIER_ZSCORE} or more, or {@code
   * outlierHour}) still counts in the
   * velocity and sum features, but not in the profile it is judged against: one fraud must not make
   * the next look ordinary (a takeover's huge amount inflating the deviation, a fraudster's night
   * making the night a habit). The history count is the payments behind the amount statistics.
   */
  private CustomerFeatures.Builder addPayment(long time, long amount, int minHistory, boolean robust, boolean outlierHour) {
    int hour = Instant.ofEpochMilli(time).atZone(ZoneOffset.UTC).getHour();
    Double secondsSincePrevious = previousTimeAtOrBefore(time);
    CustomerFeatures.Builder features =
        CustomerFeatures.newBuilder()
            .setEventTime(time)
            .setAmount(amount)
            .setSecondsSincePrevious(secondsSincePrevious == null ? null : (time - secondsSincePrevious) / 1000.0)
            .setHourOfDay(hour)
            .setUnusualHour(count >= minHistory && paymentsNearHour(hour) == 0)
            .setHistoryCount(count)
            .setAmountMean(mean)
            .setAmountStddev(stddev())
            .setAmountZscore(zscore(amount, minHistory));

    insert(time, amount);
    features
        .setPaymentsLast5m(countIn(time - FIVE_MINUTES, time))
        .setPaymentsLast1h(countIn(time - ONE_HOUR, time))
        .setAmountSum24h(sumIn(time - ONE_DAY, time));

    if (!(robust && features.getAmountZscore() >= OUTLIER_ZSCORE)) {
      count++;
      double delta = amount - mean;
      mean += delta / count;
      m2 += delta * (amount - mean);
    }
    if (!(robust && outlierHour)) {
      hourCounts[hour]++;
    }
    latestTime = Math.max(latestTime, time);
    pruneBefore(latestTime - ONE_DAY);
    return features;
  }

  private Double previousTimeAtOrBefore(long time) {
    for (int i = times.length - 1; i >= 0; i--) {
      if (times[i] <= time) {
        return (double) times[i];
      }
    }
    // Nothing in the last day at or before this payment: the latest payment is the previous one
    // if it is not later than this (out-of-order) payment.
    return count > 0 && latestTime <= time ? (double) latestTime : null;
  }

  /** Payments in the hour itself and the hours either side: habits are not minute-exact. */
  private int paymentsNearHour(int hour) {
    return hourCounts[(hour + 23) % 24] + hourCounts[hour] + hourCounts[(hour + 1) % 24];
  }

  private double stddev() {
    return count > 1 ? Math.sqrt(m2 / (count - 1)) : 0.0;
  }

  private double zscore(long amount, int minHistory) {
    double stddev = stddev();
    return count >= minHistory && stddev > 0 ? (amount - mean) / stddev : 0.0;
  }

  private void insert(long time, long amount) {
    int at = times.length;
    while (at > 0 && times[at - 1] > time) {
      at--;
    }
    times = insertAt(times, at, time);
    amounts = insertAt(amounts, at, amount);
  }

  private static long[] insertAt(long[] array, int at, long value) {
    long[] grown = new long[array.length + 1];
    System.arraycopy(array, 0, grown, 0, at);
    grown[at] = value;
    System.arraycopy(array, at, grown, at + 1, array.length - at);
    return grown;
  }

  /** Payments with an event time in (from, to]. */
  private int countIn(long from, long to) {
    int n = 0;
    for (long t : times) {
      n += t > from && t <= to ? 1 : 0;
    }
    return n;
  }

  private long sumIn(long from, long to) {
    long sum = 0;
    for (int i = 0; i < times.length; i++) {
      sum += times[i] > from && times[i] <= to ? amounts[i] : 0;
    }
    return sum;
  }

  private void pruneBefore(long oldestKept) {
    int first = 0;
    while (first < times.length && times[first] <= oldestKept) {
      first++;
    }
    if (first > 0) {
      times = Arrays.copyOfRange(times, first, times.length);
      amounts = Arrays.copyOfRange(amounts, first, amounts.length);
    }
  }

  /**
   * The state coder: {@link VersionedCoder} over the layouts below, so that a savepoint of any
   * earlier release restores. A new field means a new layout class appended to the list (the old
   * ones stay, as readers) and its golden bytes under test resources.
   */
  static org.apache.beam.sdk.coders.Coder<CustomerHistory> coder() {
    return VersionedCoder.of(new LayoutV1(), List.of(new LayoutV1(), new LayoutV2(), new LayoutV3(), new LayoutV4()));
  }

  /**
   * Version 1, also written unversioned by the release before versioning: the day's payments, the
   * Welford statistics, the 24 hour counts and the latest event time.
   */
  static class LayoutV1 extends CustomCoder<CustomerHistory> {
    /** Pinned at its computed value: see {@link dev.paystream.transforms.state.VersionedCoder}. */
    private static final long serialVersionUID = 5481396982812708072L;

    @Override
    public void encode(CustomerHistory history, OutputStream outStream) throws IOException {
      DataOutputStream out = new DataOutputStream(outStream);
      out.writeInt(history.times.length);
      for (int i = 0; i < history.times.length; i++) {
        out.writeLong(history.times[i]);
        out.writeLong(history.amounts[i]);
      }
      out.writeLong(history.count);
      out.writeDouble(history.mean);
      out.writeDouble(history.m2);
      for (int c : history.hourCounts) {
        out.writeInt(c);
      }
      out.writeLong(history.latestTime);
      out.flush();
    }

    @Override
    public CustomerHistory decode(InputStream inStream) throws IOException {
      DataInputStream in = new DataInputStream(inStream);
      int n = in.readInt();
      long[] times = new long[n];
      long[] amounts = new long[n];
      for (int i = 0; i < n; i++) {
        times[i] = in.readLong();
        amounts[i] = in.readLong();
      }
      long count = in.readLong();
      double mean = in.readDouble();
      double m2 = in.readDouble();
      int[] hourCounts = new int[24];
      for (int h = 0; h < 24; h++) {
        hourCounts[h] = in.readInt();
      }
      return new CustomerHistory(times, amounts, count, mean, m2, hourCounts, in.readLong());
    }

    @Override
    public void verifyDeterministic() {}
  }

  /**
   * Layout 1 under the name the release of 2026-11-29 gave its state coder: its savepoints hold the
   * state serializer Java-serialized, and restore only if this class still exists under this name
   * and serialVersionUID (ReleaseUpgradeIT).
   */
  static final class Coder extends LayoutV1 {
    private static final long serialVersionUID = 8529762334033520830L;
  }

  /**
   * Version 2 (PaymentEvent v2's release): version 1, then the known devices and the latest
   * located payment. A version 1 history reads with none: its first v2 payment is no new device.
   */
  static final class LayoutV2 extends CustomCoder<CustomerHistory> {
    /** Pinned at its computed value: see {@link dev.paystream.transforms.state.VersionedCoder}. */
    private static final long serialVersionUID = 3548642434084215280L;

    private static final LayoutV1 V1 = new LayoutV1();

    @Override
    public void encode(CustomerHistory history, OutputStream outStream) throws IOException {
      V1.encode(history, outStream);
      DataOutputStream out = new DataOutputStream(outStream);
      history.places.encode(out);
      out.flush();
    }

    @Override
    public CustomerHistory decode(InputStream inStream) throws IOException {
      CustomerHistory history = V1.decode(inStream);
      history.places = DevicesAndPlaces.decode(new DataInputStream(inStream));
      return history;
    }

    @Override
    public void verifyDeterministic() {}
  }

  /**
   * Version 3 (model rules-v2's release): version 2, then home (the mean place of the located
   * payments). A version 2 history reads without a home: its next located payment starts one.
   */
  static final class LayoutV3 extends CustomCoder<CustomerHistory> {
    /** Pinned at its computed value: see {@link dev.paystream.transforms.state.VersionedCoder}. */
    private static final long serialVersionUID = 3802947726260427818L;

    private static final LayoutV2 V2 = new LayoutV2();

    @Override
    public void encode(CustomerHistory history, OutputStream outStream) throws IOException {
      V2.encode(history, outStream);
      DataOutputStream out = new DataOutputStream(outStream);
      history.places.encodeHome(out);
      out.flush();
    }

    @Override
    public CustomerHistory decode(InputStream inStream) throws IOException {
      CustomerHistory history = V2.decode(inStream);
      history.places = history.places.withHomeDecoded(new DataInputStream(inStream));
      return history;
    }

    @Override
    public void verifyDeterministic() {}
  }

  /**
   * Version 4 (model rules-v3's release): version 3, then the merchants the customer paid at. A
   * version 3 history reads with none: its next payment is at no new merchant (null, like a first
   * payment), and the one after sees the merchant it learnt.
   */
  static final class LayoutV4 extends CustomCoder<CustomerHistory> {
    /** Pinned at its computed value: see {@link dev.paystream.transforms.state.VersionedCoder}. */
    private static final long serialVersionUID = 6472283930361787237L;

    private static final LayoutV3 V3 = new LayoutV3();

    @Override
    public void encode(CustomerHistory history, OutputStream outStream) throws IOException {
      V3.encode(history, outStream);
      DataOutputStream out = new DataOutputStream(outStream);
      history.merchants.encode(out);
      out.flush();
    }

    @Override
    public CustomerHistory decode(InputStream inStream) throws IOException {
      CustomerHistory history = V3.decode(inStream);
      history.merchants = KnownMerchants.decode(new DataInputStream(inStream));
      return history;
    }

    @Override
    public void verifyDeterministic() {}
  }
}
