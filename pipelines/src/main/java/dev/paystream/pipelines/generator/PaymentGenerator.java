package dev.paystream.pipelines.generator;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.paystream.pipelines.generator.GeneratedRecord.Kind;
import dev.paystream.pipelines.generator.SlotPlanner.Slot;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.transforms.validate.PaymentFormat;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.DoubleFunction;
import java.util.function.UnaryOperator;

/**
 * A deterministic stream of synthetic payment records for Kafka: the same configuration always
 * yields the same records, byte for byte.
 *
 * <p>Payments arrive as a Poisson process in event time, busier 09:00–18:00 UTC. Each customer has
 * habitual hours, a typical amount and favourite merchants, and ordinary payments follow those
 * habits. Into this flow go labelled {@link FraudPattern fraud patterns}, {@link Kind#DUPLICATE
 * duplicates} of recent valid records and {@link Kind#MALFORMED malformed} records, each with the
 * dead-letter reason the validator must give it. Records come out in non-decreasing timestamp
 * order, except duplicates, which repeat an earlier record's timestamp.
 *
 * <p>Not thread-safe. Use {@link #builder()}; a generator is an {@link Iterator}, so pass it where
 * an {@code Iterable} is wanted as {@code () -> generator}.
 */
public final class PaymentGenerator implements Iterator<GeneratedRecord> {
  /** A backfill's last record lands at least this long before the "now" it was given. */
  public static final Duration BACKFILL_END_GAP = Duration.ofSeconds(5);

  /** Duplicates repeat one of this many latest valid records. */
  private static final int DUPLICATE_LOOKBACK = 200;

  /**
   * Redeliveries come soon after the original (a producer retry, a consumer replay): a duplicate
   * repeats a valid record at most this much event time older, or else the latest one.
   */
  static final Duration MAX_REDELIVERY_DELAY = Duration.ofMinutes(5);

  private static final int HISTORY_SEARCH_ATTEMPTS = 20;
  private static final Corruption[] CORRUPTIONS = Corruption.values();
  private static final Comparator<Scheduled> TIMELINE_ORDER =
      Comparator.comparingDouble(Scheduled::atMillis).thenComparingLong(Scheduled::sequence);

  /** A record waiting for its turn; {@code atMillis} orders it, {@code sequence} breaks ties. */
  private record Scheduled(double atMillis, long sequence, GeneratedRecord record) {}

  private final PaymentFormat format;
  private final SchemaVersion schemaVersion;
  private final long startMillis;

  /**
   * A time the validator's clock will have reached when any record arrives: a backfill's now, else
   * the start.
   */
  private final long clockMillis;

  /**
   * No payment of a backfill may come later than this (its now less {@link #BACKFILL_END_GAP}): a
   * compromised merchant's run lasts longer than the burst window the backfill's start allows for.
   * Unbounded for a live run.
   */
  private final long latestPaymentMillis;

  private final long limit;
  private final String idNamespace;
  private final Population population;
  private final PaymentFactory payments;
  private final Random random;
  private final Random arrivals;
  private final ArrivalTimeline timeline;
  private final SlotPlanner planner;
  private final PriorityQueue<Scheduled> scheduled = new PriorityQueue<>(TIMELINE_ORDER);

  /** Valid payments per customer id the pipeline has seen by now: earlier runs' and this one's. */
  private final Map<String, Integer> validPaymentsByCustomer;

  /** When each merchant's latest compromised run started (its first payment's time). */
  private final Map<Integer, Double> runStartByMerchant = new HashMap<>();

  private final GeneratedRecord[] recentValid = new GeneratedRecord[DUPLICATE_LOOKBACK];
  private final GeneratorStats stats = new GeneratorStats();
  private double nextArrival;
  private long validEmitted;
  private long emitted;
  private long sequence;

  private PaymentGenerator(
      Builder config,
      ArrivalTimeline timeline,
      SlotPlanner planner,
      long startMillis,
      long clockMillis) {
    this.latestPaymentMillis =
        config.backfillNowMillis == null ? Long.MAX_VALUE : config.backfillNowMillis - BACKFILL_END_GAP.toMillis();
    this.format = config.format;
    this.schemaVersion = config.schemaVersion;
    this.startMillis = startMillis;
    this.clockMillis = clockMillis;
    this.limit = config.limit;
    // Ids must differ between runs that share a seed (a backfill, then a live run), or the
    // pipeline would drop the second run's payments as duplicates; the start tells runs apart.
    this.idNamespace = "paystream-generator/" + config.seed + "/" + startMillis + "/";
    this.population =
        Population.generate(
            SeedStream.POPULATION.seed(config.seed), config.customers, config.merchants);
    this.random = SeedStream.CONTENT.random(config.seed);
    this.payments = new PaymentFactory(population, random);
    this.arrivals = SeedStream.ARRIVALS.random(config.seed);
    this.timeline = timeline;
    this.planner = planner;
    this.validPaymentsByCustomer = new HashMap<>(config.customerHistory);
    this.nextArrival = timeline.advance(startMillis, exponential(arrivals));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Where the timeline starts: as configured, or as computed for a backfill. */
  public long startMillis() {
    return startMillis;
  }

  /**
   * False once the configured number of records has been generated; never false without a limit.
   */
  @Override
  public boolean hasNext() {
    return emitted < limit;
  }

  @Override
  public GeneratedRecord next() {
    if (!hasNext()) {
      throw new NoSuchElementException("all " + limit + " records have been generated");
    }
    // A scheduled record is safe to release once no arrival can come before it: arrivals only
    // ever schedule records at or after their own time.
    while (!planner.exhausted()
        && (scheduled.isEmpty() || scheduled.peek().atMillis() > nextArrival)) {
      schedule(planner.next(), nextArrival);
      nextArrival = timeline.advance(nextArrival, exponential(arrivals));
    }
    GeneratedRecord record = scheduled.remove().record();
    emitted++;
    stats.add(record);
    if (record.kind() == Kind.VALID) {
      recentValid[(int) (validEmitted++ % DUPLICATE_LOOKBACK)] = record;
      validPaymentsByCustomer.merge(record.key(), 1, Integer::sum);
    }
    return record;
  }

  /**
   * Valid payments per customer id so far, those of {@link Builder#customerHistory} included: hand
   * it to the next run with the same seed, so its fraud can rely on this run's history.
   */
  public Map<String, Integer> customerHistory() {
    return Map.copyOf(validPaymentsByCustomer);
  }

  /** Counts of the records generated so far (a copy). */
  public GeneratorStats stats() {
    return stats.copy();
  }

  private void schedule(Slot slot, double at) {
    switch (slot.type()) {
      case PAYMENT -> enqueue(at, ordinaryPayment(at));
      case FRAUD -> scheduleFraud(slot, at);
      case DUPLICATE -> enqueue(at, duplicate(at));
      case MALFORMED -> enqueue(at, malformed(at));
    }
  }

  private void scheduleFraud(Slot slot, double at) {
    switch (slot.pattern()) {
      case BURST -> scheduleBurst(at, slot.records());
      case LARGE_AFTER_SMALL ->
          enqueue(at, firstPossible(at, this::largePayment, this::oddHourPayment));
      case ODD_HOUR -> enqueue(at, firstPossible(at, this::oddHourPayment, this::largePayment));
      case IMPOSSIBLE_TRAVEL -> enqueue(at, firstPossible(at, this::impossibleTravel, this::takeover));
      case ACCOUNT_TAKEOVER -> enqueue(at, firstPossible(at, this::takeover, this::largePayment));
      case COMPROMISED_MERCHANT -> scheduleMerchantRun(at, slot.records());
    }
  }

  /**
   * The single-payment patterns need a customer with history, who may not exist yet at the start of
   * a run (or, for odd hours, before the idle customers have paid at all). The other pattern stands
   * in, so the fraud share holds; failing both, an ordinary payment does.
   */
  private GeneratedRecord firstPossible(
      double at, DoubleFunction<GeneratedRecord> wanted, DoubleFunction<GeneratedRecord> standIn) {
    GeneratedRecord record = wanted.apply(at);
    if (record == null) {
      record = standIn.apply(at);
    }
    return record != null ? record : ordinaryPayment(at);
  }

  /** A LARGE_AFTER_SMALL payment, or null if no customer paying now has enough history. */
  private GeneratedRecord largePayment(double at) {
    CustomerProfile customer =
        customerWithHistory(population.payingAt(ArrivalTimeline.hourOfDay(at)));
    if (customer == null) {
      return null;
    }
    double factor =
        FraudPattern.LARGE_MIN_FACTOR
            + random.nextDouble() * (FraudPattern.LARGE_MAX_FACTOR - FraudPattern.LARGE_MIN_FACTOR);
    return validPayment(
        customer, at, payments.scaledAmount(customer, factor), FraudPattern.LARGE_AFTER_SMALL);
  }

  /** An ODD_HOUR payment, or null if no customer idle now has enough history. */
  private GeneratedRecord oddHourPayment(double at) {
    CustomerProfile customer =
        customerWithHistory(population.idleAt(ArrivalTimeline.hourOfDay(at)));
    return customer == null
        ? null
        : validPayment(customer, at, payments.usualAmount(customer), FraudPattern.ODD_HOUR);
  }

  /**
   * An IMPOSSIBLE_TRAVEL payment by the latest payer within {@link FraudPattern#TRAVEL_WINDOW} who
   * pays at this hour, or null if there is none.
   */
  private GeneratedRecord impossibleTravel(double at) {
    int hour = ArrivalTimeline.hourOfDay(at);
    for (long back = 1; back <= Math.min(validEmitted, DUPLICATE_LOOKBACK); back++) {
      GeneratedRecord previous = recentValid[(int) ((validEmitted - back) % DUPLICATE_LOOKBACK)];
      if (at - previous.timestampMillis() > FraudPattern.TRAVEL_WINDOW.toMillis()) {
        return null;
      }
      CustomerProfile customer = population.customer(previous.key());
      if (customer.habits().paysAt(hour)) {
        return validPayment(
            customer, at, payments.usualAmount(customer), FraudPattern.IMPOSSIBLE_TRAVEL,
            payment -> payments.elsewhere(payment, customer));
      }
    }
    return null;
  }

  /** An ACCOUNT_TAKEOVER payment, or null if no customer paying now has enough history. */
  private GeneratedRecord takeover(double at) {
    CustomerProfile customer =
        customerWithHistory(population.payingAt(ArrivalTimeline.hourOfDay(at)));
    if (customer == null) {
      return null;
    }
    double factor =
        FraudPattern.TAKEOVER_MIN_FACTOR
            + random.nextDouble() * (FraudPattern.TAKEOVER_MAX_FACTOR - FraudPattern.TAKEOVER_MIN_FACTOR);
    return validPayment(
        customer, at, payments.scaledAmount(customer, factor), FraudPattern.ACCOUNT_TAKEOVER,
        payment -> payments.onNewDevice(payments.elsewhere(payment, customer)));
  }

  private void scheduleBurst(double at, int size) {
    double window = FraudPattern.BURST_WINDOW.toMillis();
    CustomerProfile customer = customerPayingThroughout(at, at + window);
    enqueue(at, validPayment(customer, at, payments.usualAmount(customer), FraudPattern.BURST));
    for (int i = 1; i < size; i++) {
      double when = at + random.nextDouble() * window;
      enqueue(
          when, validPayment(customer, when, payments.usualAmount(customer), FraudPattern.BURST));
    }
  }

  /**
   * A {@link FraudPattern#COMPROMISED_MERCHANT} run: {@code size} payments at one merchant within
   * {@link FraudPattern#MERCHANT_RUN_WINDOW} of {@code at}, each charging a different customer with
   * history who pays at that hour. A run is only a run if it is whole: a stub of a few payments
   * (early in a backfill, when few customers have history yet) is neither the pattern nor something
   * a detector could tell from a merchant's ordinary trade. So the run goes ahead only when every
   * hour it spans has {@code size} customers with history paying then, which guarantees each of its
   * payments a victim; otherwise a burst stands in (it needs no history), so the fraud share holds.
   */
  private void scheduleMerchantRun(double at, int size) {
    double end = Math.min(at + FraudPattern.MERCHANT_RUN_WINDOW.toMillis(), latestPaymentMillis);
    int[] startHourVictims = withHistory(population.payingAt(ArrivalTimeline.hourOfDay(at)), size);
    int[] endHourVictims = withHistory(population.payingAt(ArrivalTimeline.hourOfDay(end)), size);
    if (startHourVictims.length < size || endHourVictims.length < size) {
      int burst = Math.min(size, FraudPattern.BURST_MAX_PAYMENTS);
      scheduleBurst(at, burst);
      for (int i = burst; i < size; i++) {
        enqueue(at, ordinaryPayment(at));
      }
      return;
    }
    MerchantProfile merchant = runMerchant(at);
    Set<String> charged = new HashSet<>();
    for (int i = 0; i < size; i++) {
      double when = i == 0 ? at : Math.min(at + random.nextDouble() * FraudPattern.MERCHANT_RUN_WINDOW.toMillis(), latestPaymentMillis);
      CustomerProfile customer =
          runVictim(when, charged, ArrivalTimeline.hourOfDay(when) == ArrivalTimeline.hourOfDay(at) ? startHourVictims : endHourVictims);
      charged.add(customer.id());
      double factor =
          FraudPattern.MERCHANT_RUN_MIN_FACTOR
              + random.nextDouble() * (FraudPattern.MERCHANT_RUN_MAX_FACTOR - FraudPattern.MERCHANT_RUN_MIN_FACTOR);
      boolean declined = random.nextDouble() < FraudPattern.MERCHANT_RUN_DECLINE_SHARE;
      enqueue(when, validPayment(
          customer, when, payments.scaledAmount(customer, factor), FraudPattern.COMPROMISED_MERCHANT,
          payment -> payments.keyedInBy(merchant, payment, declined)));
    }
  }

  /**
   * A random merchant, or the next one after it not in a run of its own (a run started within
   * {@link FraudPattern#MERCHANT_RUN_WINDOW} before {@code at}): two runs at one merchant would
   * read as one incident and its tail, cut off by the window, as another. With every merchant in a
   * run (fewer merchants than overlapping runs), the random one.
   */
  private MerchantProfile runMerchant(double at) {
    int drawn = random.nextInt(population.merchantCount());
    for (int i = 0; i < population.merchantCount(); i++) {
      int index = (drawn + i) % population.merchantCount();
      Double lastRun = runStartByMerchant.get(index);
      if (lastRun == null || at - lastRun > FraudPattern.MERCHANT_RUN_WINDOW.toMillis()) {
        runStartByMerchant.put(index, at);
        return population.merchant(index);
      }
    }
    return population.merchant(drawn);
  }

  /**
   * The first {@code wanted} of {@code customerIndices} (in their order) with enough history, or
   * all of them if fewer.
   */
  private int[] withHistory(int[] customerIndices, int wanted) {
    int[] found = new int[wanted];
    int count = 0;
    for (int index = 0; index < customerIndices.length && count < wanted; index++) {
      if (validPaymentsByCustomer.getOrDefault(population.customer(customerIndices[index]).id(), 0) >= FraudPattern.MIN_HISTORY) {
        found[count++] = customerIndices[index];
      }
    }
    return Arrays.copyOf(found, count);
  }

  /**
   * A customer with history paying at {@code at}'s hour and not yet charged in this run: a random
   * one if one is found quickly, else the first of {@code withHistory} (customers with history
   * paying at that hour, more than the run has payments) not yet charged.
   */
  private CustomerProfile runVictim(double at, Set<String> charged, int[] withHistory) {
    int[] paying = population.payingAt(ArrivalTimeline.hourOfDay(at));
    for (int attempt = 0; attempt < 3 * HISTORY_SEARCH_ATTEMPTS; attempt++) {
      CustomerProfile candidate = anyOf(paying);
      if (!charged.contains(candidate.id())
          && validPaymentsByCustomer.getOrDefault(candidate.id(), 0) >= FraudPattern.MIN_HISTORY) {
        return candidate;
      }
    }
    for (int index : withHistory) {
      CustomerProfile candidate = population.customer(index);
      if (!charged.contains(candidate.id())) {
        return candidate;
      }
    }
    throw new IllegalStateException("a run was scheduled with fewer customers with history than payments");
  }

  private GeneratedRecord ordinaryPayment(double at) {
    CustomerProfile customer = anyOf(population.payingAt(ArrivalTimeline.hourOfDay(at)));
    return validPayment(customer, at, payments.usualAmount(customer), null);
  }

  private GeneratedRecord validPayment(
      CustomerProfile customer, double at, long amount, FraudPattern pattern) {
    return validPayment(customer, at, amount, pattern, UnaryOperator.identity());
  }

  /** @param fraud changes the customer's usual payment into the pattern's (place, device) */
  private GeneratedRecord validPayment(
      CustomerProfile customer, double at, long amount, FraudPattern pattern, UnaryOperator<PaymentEvent> fraud) {
    long eventTime = (long) Math.floor(at);
    PaymentEvent payment =
        schemaVersion.asWritten(fraud.apply(payments.payment(customer, eventTime, amount, nextTransactionId())));
    return GeneratedRecord.valid(
        customer.id(),
        format.encode(payment, schemaVersion.versionOf(payment)),
        eventTime,
        payment.getTransactionId(),
        pattern);
  }

  private GeneratedRecord malformed(double at) {
    long timestamp = (long) Math.floor(at);
    CustomerProfile customer = anyOf(population.payingAt(ArrivalTimeline.hourOfDay(at)));
    PaymentEvent payment =
        payments.payment(customer, timestamp, payments.usualAmount(customer), nextTransactionId());
    Corruption corruption = CORRUPTIONS[random.nextInt(CORRUPTIONS.length)];
    return corruption.corrupt(
        payment,
        timestamp,
        new Corruption.Context(format, random, Math.max(timestamp, clockMillis)));
  }

  /** A re-send of a recent valid record; an ordinary payment while there is none to repeat. */
  private GeneratedRecord duplicate(double at) {
    if (validEmitted == 0) {
      return ordinaryPayment(at);
    }
    int recent = (int) Math.min(validEmitted, DUPLICATE_LOOKBACK);
    GeneratedRecord original = recentValid[(int) ((validEmitted - 1) % DUPLICATE_LOOKBACK)];
    for (int attempt = 0; attempt < recent; attempt++) {
      GeneratedRecord candidate = recentValid[random.nextInt(recent)];
      if (at - candidate.timestampMillis() <= MAX_REDELIVERY_DELAY.toMillis()) {
        original = candidate;
        break;
      }
    }
    return GeneratedRecord.duplicateOf(original);
  }

  private CustomerProfile anyOf(int[] customerIndices) {
    return population.customer(customerIndices[random.nextInt(customerIndices.length)]);
  }

  /**
   * A customer among {@code customerIndices} with enough history for the pattern to stand out, if
   * one is found quickly.
   */
  private CustomerProfile customerWithHistory(int[] customerIndices) {
    for (int attempt = 0; attempt < HISTORY_SEARCH_ATTEMPTS; attempt++) {
      CustomerProfile candidate = anyOf(customerIndices);
      if (validPaymentsByCustomer.getOrDefault(candidate.id(), 0) >= FraudPattern.MIN_HISTORY) {
        return candidate;
      }
    }
    return null;
  }

  /**
   * A customer whose habits cover both ends of the interval, so a burst straddling an hour boundary
   * stays within habitual hours. Such a customer always exists (see {@link HabitProfile}), and only
   * the last minutes of an hour need more than one draw.
   */
  private CustomerProfile customerPayingThroughout(double from, double until) {
    int lastHour = ArrivalTimeline.hourOfDay(until);
    while (true) {
      CustomerProfile candidate = anyOf(population.payingAt(ArrivalTimeline.hourOfDay(from)));
      if (candidate.habits().paysAt(lastHour)) {
        return candidate;
      }
    }
  }

  private void enqueue(double at, GeneratedRecord record) {
    scheduled.add(new Scheduled(at, sequence++, record));
  }

  private String nextTransactionId() {
    return UUID.nameUUIDFromBytes((idNamespace + sequence++).getBytes(UTF_8)).toString();
  }

  /** A unit-mean exponential draw: one Poisson inter-arrival, measured in expected arrivals. */
  private static double exponential(Random random) {
    return -StrictMath.log(1 - random.nextDouble());
  }

  /**
   * Configuration of a {@link PaymentGenerator}; every setting has a default except where it
   * starts.
   */
  public static final class Builder {
    private long seed = 42;
    private int customers = 1_000;
    private int merchants = 50;
    private double eventsPerSecond = 10;
    private double peakMultiplier = 2.5;
    private Long startMillis;
    private Long backfillNowMillis;
    private PaymentFormat format = PaymentFormat.AVRO;
    private SchemaVersion schemaVersion = SchemaVersion.V2;
    private double fraudFraction = 0.02;
    private double duplicateFraction = 0.01;
    private double malformedFraction = 0.01;
    private long limit = Long.MAX_VALUE;
    private Map<String, Integer> customerHistory = Map.of();

    private Builder() {}

    /** Seed of everything random: population, timeline and content. Default 42. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Number of distinct customers, at least 3. Default 1000. */
    public Builder customers(int customers) {
      this.customers = customers;
      return this;
    }

    /** Number of distinct merchants. Default 50. */
    public Builder merchants(int merchants) {
      this.merchants = merchants;
      return this;
    }

    /** Records per second of event time outside peak hours, all kinds included. Default 10. */
    public Builder eventsPerSecond(double eventsPerSecond) {
      this.eventsPerSecond = eventsPerSecond;
      return this;
    }

    /**
     * How many times busier 09:00–18:00 UTC is than the rest of the day. Default 2.5; 1 for a flat
     * rate.
     */
    public Builder peakMultiplier(double peakMultiplier) {
      this.peakMultiplier = peakMultiplier;
      return this;
    }

    /**
     * Event time (epoch millis) the timeline starts at; the first record comes shortly after. Meant
     * for live runs (start now) and tests: far-future malformed payloads are days past their
     * record's timestamp, so records validated days after their event time need {@link #backfill}.
     */
    public Builder startMillis(long startMillis) {
      this.startMillis = startMillis;
      return this;
    }

    /**
     * Encoding of valid payments: {@link PaymentFormat#AVRO} (default) or {@link
     * PaymentFormat#JSON}.
     */
    public Builder format(PaymentFormat format) {
      if (format == PaymentFormat.AUTO) {
        throw new IllegalArgumentException(
            "AUTO is a way of reading; choose AVRO or JSON to write");
      }
      this.format = format;
      return this;
    }

    /** Share of all records that belong to an injected fraud pattern. Default 0.02. */
    /** PaymentEvent schema the producers write: v1, v2 (default, the current) or a mix. */
    public Builder schemaVersion(SchemaVersion version) {
      if (version == null) {
        throw new IllegalArgumentException("schema version must not be null");
      }
      this.schemaVersion = version;
      return this;
    }

    public Builder fraudFraction(double fraction) {
      this.fraudFraction = fraction;
      return this;
    }

    /** Share of all records that are duplicates. Default 0.01. */
    public Builder duplicateFraction(double fraction) {
      this.duplicateFraction = fraction;
      return this;
    }

    /** Share of all records that are malformed. Default 0.01. */
    public Builder malformedFraction(double fraction) {
      this.malformedFraction = fraction;
      return this;
    }

    /** Generate exactly this many records, then stop. Default: no end. */
    public Builder limit(long records) {
      if (records < 0) {
        throw new IllegalArgumentException("limit must not be negative, was " + records);
      }
      this.limit = records;
      return this;
    }

    /**
     * Exactly {@code records} records of history that end shortly before {@code nowMillis}, in
     * place of {@link #startMillis} (and setting the {@link #limit}). The start is computed so the
     * last arrival lands {@link FraudPattern#BURST_WINDOW} plus {@link #BACKFILL_END_GAP} before
     * now; only a burst's tail comes later, and never within {@link #BACKFILL_END_GAP} of now. No
     * valid record is ahead of a validator's clock, and far-future malformed records are far ahead
     * of {@code nowMillis} itself.
     */
    public Builder backfill(long records, long nowMillis) {
      if (records <= 0) {
        throw new IllegalArgumentException("a backfill needs at least one record, got " + records);
      }
      limit(records);
      this.backfillNowMillis = nowMillis;
      return this;
    }

    /**
     * Valid payments each customer made in an earlier run with the same seed that the pipeline has
     * already seen (e.g. a backfill's {@link PaymentGenerator#customerHistory()}), so fraud that
     * needs history ({@link FraudPattern#LARGE_AFTER_SMALL}, {@link FraudPattern#ODD_HOUR}) can be
     * injected from the first record. Default: none.
     */
    public Builder customerHistory(Map<String, Integer> validPaymentsByCustomer) {
      this.customerHistory = Map.copyOf(validPaymentsByCustomer);
      return this;
    }

    public PaymentGenerator build() {
      if ((startMillis == null) == (backfillNowMillis == null)) {
        throw new IllegalStateException("set exactly one of startMillis(...) and backfill(...)");
      }
      if (!(eventsPerSecond > 0)) {
        throw new IllegalArgumentException(
            "eventsPerSecond must be positive, was " + eventsPerSecond);
      }
      RecordMix mix = new RecordMix(fraudFraction, duplicateFraction, malformedFraction);
      SlotPlanner planner = new SlotPlanner(SeedStream.PLAN.seed(seed), mix, limit);
      ArrivalTimeline timeline =
          new ArrivalTimeline(eventsPerSecond / planner.recordsPerSlot(), peakMultiplier);
      if (startMillis != null) {
        return new PaymentGenerator(this, timeline, planner, startMillis, startMillis);
      }
      return new PaymentGenerator(
          this, timeline, planner, backfillStart(timeline, mix), backfillNowMillis);
    }

    /**
     * The start from which the last arrival lands a burst window plus the end gap before now. The
     * plan and the arrivals do not depend on event time, so replaying them tells how much timeline
     * the records need; the timeline then maps that back to a start.
     */
    private long backfillStart(ArrivalTimeline timeline, RecordMix mix) {
      SlotPlanner replay = new SlotPlanner(SeedStream.PLAN.seed(seed), mix, limit);
      Random replayArrivals = SeedStream.ARRIVALS.random(seed);
      double work = 0;
      while (!replay.exhausted()) {
        replay.next();
        work += exponential(replayArrivals);
      }
      long lastArrival =
          backfillNowMillis - BACKFILL_END_GAP.toMillis() - FraudPattern.BURST_WINDOW.toMillis();
      // Rounding down only moves every record earlier.
      return (long) Math.floor(timeline.rewind(lastArrival, work));
    }
  }
}
