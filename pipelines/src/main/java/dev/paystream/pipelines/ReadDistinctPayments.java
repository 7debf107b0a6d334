package dev.paystream.pipelines;

import dev.paystream.io.kafka.CommittedKeys;
import dev.paystream.io.kafka.DropCommitted;
import dev.paystream.io.kafka.DropReplayedOffsets;
import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.SourceRecord;
import dev.paystream.transforms.dedup.DeduplicatePayments;
import dev.paystream.transforms.validate.ValidatePayments;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Duration;

/**
 * The payments topic as valid, distinct payments, the way every pipeline reads it:
 *
 * <pre>
 *   payments (stream or backfill ranges; event time per --eventTimeSource)
 *       ─► DropReplayedOffsets (on Flink: each partition offset once, whatever the source replays)
 *                   ▼
 *             ValidatePayments ─invalid─► {@link #DEAD_LETTERS} (with reason)
 *                   ▼
 *             DeduplicatePayments ─► {@link #PAYMENTS}
 * </pre>
 *
 * Every record read is one payment, one dead letter, or a dropped duplicate.
 */
public final class ReadDistinctPayments extends PTransform<PBegin, PCollectionTuple> {
  public static final TupleTag<PaymentEvent> PAYMENTS = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = ValidatePayments.DEAD_LETTERS;

  private final PaymentIngestOptions options;
  private final PaymentSource source;

  // Output a predecessor without state committed (null: not looked up), see withCommittedOutput.
  private final CommittedKeys decided;
  private final CommittedKeys deadLettered;
  // false: PAYMENTS are the valid payments, repeats included (a later step deduplicates them)
  private final boolean deduplicate;

  private ReadDistinctPayments(
      PaymentIngestOptions options, PaymentSource source, CommittedKeys decided, CommittedKeys deadLettered, boolean deduplicate) {
    this.options = options;
    this.source = source;
    this.decided = decided;
    this.deadLettered = deadLettered;
    this.deduplicate = deduplicate;
  }

  /** Reads {@code --paymentsTopic} from {@code source}: the stream, or a backfill's ranges. */
  public static ReadDistinctPayments from(PaymentIngestOptions options, PaymentSource source) {
    return new ReadDistinctPayments(options, source, null, null, true);
  }

  /**
   * Also drops what a predecessor without state already output: payments whose transaction id is
   * in {@code decided}, and dead letters whose source coordinates ({@link
   * ExactlyOnceOutputs#sourceCoordinates}) are in {@code deadLettered}. How a restarted process
   * reads records again without deciding them twice.
   */
  public ReadDistinctPayments withCommittedOutput(CommittedKeys decided, CommittedKeys deadLettered) {
    return new ReadDistinctPayments(options, source, decided, deadLettered, deduplicate);
  }

  /**
   * Leaves the de-duplication to the caller ({@link #deduplication}, e.g. fused with the features
   * step: {@code --fuseCustomerSteps}): {@link #PAYMENTS} are then the valid payments, repeats included.
   */
  public ReadDistinctPayments deduplicatedLater() {
    return new ReadDistinctPayments(options, source, decided, deadLettered, false);
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    PCollection<SourceRecord> read = begin.apply("ReadPayments", source.read());
    if (ServeMetrics.wanted(options)) {
      read = read.apply("ServeMetrics", ServeMetrics.of(options, source.consumerGroup()));
    }
    // A bounded read reads each offset once; only the stream can be replayed by a restore.
    if (!source.bounded() && dropReplayedOffsets()) {
      // Beam's Flink runner reads partitions twice after a restore (Beam #34890)
      read = read.apply("DropReplayedOffsets", DropReplayedOffsets.create());
    }
    PCollectionTuple validated = validate(read, options, deadLettered);
    return deduplicate ? deduplicated(validated, options, decided) : validated;
  }

  /**
   * The validation and dedup steps of {@link #expand} on records from any source, e.g. a test's or
   * an evaluation's in-memory records ({@code DetectionQualityTest}). Applied to {@code read}'s
   * pipeline under the caller's current composite, not as a composite of its own: the fraud job's
   * stateful step names ({@code fraud-stateful-steps.txt}) must not change.
   *
   * @param decided and {@code deadLettered}: see {@link #withCommittedOutput}; null for none
   */
  public static PCollectionTuple validateAndDeduplicate(
      PCollection<SourceRecord> read, PaymentIngestOptions options, CommittedKeys decided, CommittedKeys deadLettered) {
    return deduplicated(validate(read, options, deadLettered), options, decided);
  }

  private static PCollectionTuple deduplicated(PCollectionTuple validated, PaymentIngestOptions options, CommittedKeys decided) {
    PCollection<PaymentEvent> distinct = validated.get(PAYMENTS).apply("DeduplicatePayments", deduplication(options, decided));
    return PCollectionTuple.of(PAYMENTS, distinct).and(DEAD_LETTERS, validated.get(DEAD_LETTERS));
  }

  /** The valid payments ({@link #PAYMENTS}, repeats included) and the dead letters of {@code read}. */
  private static PCollectionTuple validate(PCollection<SourceRecord> read, PaymentIngestOptions options, CommittedKeys deadLettered) {
    PCollectionTuple validated =
        read.apply(
            "ValidatePayments",
            ValidatePayments.of(options.getPaymentFormat())
                .withMaxFutureSkew(Duration.standardMinutes(options.getMaxFutureSkewMinutes()))
                .withMaxEventAge(Duration.standardDays(options.getMaxEventAgeDays()))
                .withMaxPayloadBytes(options.getMaxPayloadBytes()));
    PCollection<DeadLetter> deadLetters = validated.get(ValidatePayments.DEAD_LETTERS);
    if (deadLettered != null) {
      deadLetters =
          deadLetters.apply("DropCommittedDeadLetters", DropCommitted.of(deadLettered, ExactlyOnceOutputs::sourceCoordinates));
    }
    return PCollectionTuple.of(PAYMENTS, validated.get(ValidatePayments.VALID)).and(DEAD_LETTERS, deadLetters);
  }

  /** The de-duplication of the payments as the options configure it; {@code decided}: see {@link #withCommittedOutput}. */
  public static DeduplicatePayments deduplication(PaymentIngestOptions options, CommittedKeys decided) {
    DeduplicatePayments dedup =
        DeduplicatePayments.within(Duration.standardMinutes(options.getDedupRetentionMinutes()))
            .withPaymentCoder(options.getPaymentCoder());
    return decided == null ? dedup : dedup.withAlreadyDecided(decided);
  }

  private boolean dropReplayedOffsets() {
    Boolean configured = options.getDropReplayedOffsets();
    // by name: the Flink runner is not on the DirectRunner build's classpath
    return configured != null ? configured : options.getRunner().getSimpleName().startsWith("Flink");
  }
}
