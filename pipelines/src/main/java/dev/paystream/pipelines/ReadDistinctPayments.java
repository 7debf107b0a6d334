package dev.paystream.pipelines;

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

  private ReadDistinctPayments(PaymentIngestOptions options, PaymentSource source) {
    this.options = options;
    this.source = source;
  }

  /** Reads {@code --paymentsTopic} from {@code source}: the stream, or a backfill's ranges. */
  public static ReadDistinctPayments from(PaymentIngestOptions options, PaymentSource source) {
    return new ReadDistinctPayments(options, source);
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    PCollection<SourceRecord> read = begin.apply("ReadPayments", source.read());
    // A bounded read reads each offset once; only the stream can be replayed by a restore.
    if (!source.bounded() && dropReplayedOffsets()) {
      // Beam's Flink runner reads partitions twice after a restore (Beam #34890)
      read = read.apply("DropReplayedOffsets", DropReplayedOffsets.create());
    }
    PCollectionTuple validated =
        read.apply(
            "ValidatePayments",
            ValidatePayments.of(options.getPaymentFormat())
                .withMaxFutureSkew(Duration.standardMinutes(options.getMaxFutureSkewMinutes())));
    PCollection<PaymentEvent> distinct =
        validated
            .get(ValidatePayments.VALID)
            .apply(
                "DeduplicatePayments",
                DeduplicatePayments.within(Duration.standardMinutes(options.getDedupHorizonMinutes())));
    return PCollectionTuple.of(PAYMENTS, distinct).and(DEAD_LETTERS, validated.get(ValidatePayments.DEAD_LETTERS));
  }

  private boolean dropReplayedOffsets() {
    Boolean configured = options.getDropReplayedOffsets();
    // by name: the Flink runner is not on the DirectRunner build's classpath
    return configured != null ? configured : options.getRunner().getSimpleName().startsWith("Flink");
  }
}
