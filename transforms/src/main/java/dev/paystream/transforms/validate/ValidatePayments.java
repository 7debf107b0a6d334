package dev.paystream.transforms.validate;

import dev.paystream.schemas.metrics.PaystreamMetrics;
import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.SourceRecord;
import java.io.Serializable;
import java.nio.ByteBuffer;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;

/**
 * Parses raw payment records and checks them. Valid payments come out under {@link #VALID};
 * everything else comes out under {@link #DEAD_LETTERS} with the reason, the original bytes (cut
 * to {@code maxPayloadBytes}, with size and hash: {@link DeadLetters}) and the source coordinates.
 * No input record can fail the pipeline, and every dead letter fits its topic.
 *
 * <p>Counters (namespace {@value #METRICS_NAMESPACE}): {@code valid}, {@code dead_letter_<REASON>}
 * per {@link DeadLetterReason}, and {@code truncated_payloads}.
 */
public class ValidatePayments extends PTransform<PCollection<SourceRecord>, PCollectionTuple> {
  public static final String METRICS_NAMESPACE = "validate";
  public static final String STAGE = "validate";
  public static final TupleTag<PaymentEvent> VALID = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};

  /**
   * A year and a day: a 7- or 14-day backfill, a month of reprocessing and a year of history pass;
   * 1970 (epoch seconds read as milliseconds), 2000-01-01 or other placeholder dates do not.
   */
  public static final long DEFAULT_MAX_EVENT_AGE_DAYS = 366;

  /**
   * 64 KiB: a payment is 200-600 bytes, and one with every text at its bound in 3-byte characters under 5 KiB. A dead
   * letter carries at most this much payload, so it fits Kafka's default 1 MiB record limit.
   */
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;

  /** Larger bounds would let a dead letter outgrow Kafka's default 1 MiB record limit. */
  public static final int MAX_PAYLOAD_BYTES_LIMIT = 512 * 1024;

  /** The clock that bounds event times; processing time in production, fixed in tests. */
  public interface Clock extends Serializable {
    long nowMillis();
  }

  private final PaymentFormat format;
  private final Duration maxFutureSkew;
  private final Duration maxEventAge;
  private final int maxPayloadBytes;
  private final Clock clock;

  private ValidatePayments(
      PaymentFormat format, Duration maxFutureSkew, Duration maxEventAge, int maxPayloadBytes, Clock clock) {
    this.format = format;
    this.maxFutureSkew = maxFutureSkew;
    this.maxEventAge = maxEventAge;
    this.maxPayloadBytes = maxPayloadBytes;
    this.clock = clock;
  }

  /**
   * Accepts payments in {@code format}, at most 5 minutes in the future and {@value
   * #DEFAULT_MAX_EVENT_AGE_DAYS} days in the past by the system clock, of at most {@value
   * #DEFAULT_MAX_PAYLOAD_BYTES} bytes.
   */
  public static ValidatePayments of(PaymentFormat format) {
    return new ValidatePayments(
        format,
        Duration.standardMinutes(5),
        Duration.standardDays(DEFAULT_MAX_EVENT_AGE_DAYS),
        DEFAULT_MAX_PAYLOAD_BYTES,
        System::currentTimeMillis);
  }

  /** How far ahead of the clock an event time may be before the payment is rejected. */
  public ValidatePayments withMaxFutureSkew(Duration skew) {
    checkArgument(!skew.isShorterThan(Duration.ZERO), "negative future skew %s", skew);
    return new ValidatePayments(format, skew, maxEventAge, maxPayloadBytes, clock);
  }

  /** How far behind the clock an event time may be before the payment is rejected ({@code STALE_TIMESTAMP}). */
  public ValidatePayments withMaxEventAge(Duration age) {
    checkArgument(age.isLongerThan(Duration.ZERO), "the maximum event age must be positive, was %s", age);
    return new ValidatePayments(format, maxFutureSkew, age, maxPayloadBytes, clock);
  }

  /**
   * Values larger than this are dead-lettered unread ({@code OVERSIZED}) with their first {@code
   * bytes} bytes; at most {@value #MAX_PAYLOAD_BYTES_LIMIT}.
   */
  public ValidatePayments withMaxPayloadBytes(int bytes) {
    checkArgument(
        bytes > 0 && bytes <= MAX_PAYLOAD_BYTES_LIMIT,
        "maxPayloadBytes must be in [1, %s], was %s", MAX_PAYLOAD_BYTES_LIMIT, bytes);
    return new ValidatePayments(format, maxFutureSkew, maxEventAge, bytes, clock);
  }

  public ValidatePayments withClock(Clock clock) {
    return new ValidatePayments(format, maxFutureSkew, maxEventAge, maxPayloadBytes, clock);
  }

  @Override
  public PCollectionTuple expand(PCollection<SourceRecord> records) {
    PaymentValidator validator =
        new PaymentValidator(format, maxFutureSkew.getMillis(), maxEventAge.getMillis(), maxPayloadBytes);
    PCollectionTuple result =
        records.apply(
            "ParseAndCheck",
            ParDo.of(new ValidateFn(validator, clock)).withOutputTags(VALID, TupleTagList.of(DEAD_LETTERS)));
    result.get(VALID).setCoder(AvroCoder.of(PaymentEvent.class));
    result.get(DEAD_LETTERS).setCoder(AvroCoder.of(DeadLetter.class));
    return result;
  }

  private static void checkArgument(boolean valid, String format, Object... args) {
    if (!valid) {
      throw new IllegalArgumentException(String.format(format, args));
    }
  }

  private static class ValidateFn extends DoFn<SourceRecord, PaymentEvent> {
    private final PaymentValidator validator;
    private final Clock clock;
    private final Counter valid = Metrics.counter(METRICS_NAMESPACE, "valid");
    private final Counter truncated = Metrics.counter(METRICS_NAMESPACE, "truncated_payloads");

    @Setup
    public void exportEveryReason() {
      // Every reason's series exists at 0 from the start: a dead-letter share is then 0, not absent.
      for (DeadLetterReason reason : DeadLetterReason.values()) {
        PaystreamMetrics.DEAD_LETTERS.labelValues(reason.name());
      }
    }

    ValidateFn(PaymentValidator validator, Clock clock) {
      this.validator = validator;
      this.clock = clock;
    }

    @ProcessElement
    public void process(@Element SourceRecord record, MultiOutputReceiver out) {
      long now = clock.nowMillis();
      try {
        out.get(VALID).output(validator.validate(bytes(record.getPayload()), now));
        valid.inc();
      } catch (InvalidPaymentException e) {
        reject(record, e.reason(), e.getMessage(), now, out);
      } catch (RuntimeException e) {
        // A decoder bug must not take the pipeline down with it; the record stays traceable.
        reject(record, DeadLetterReason.UNPARSEABLE, "unexpected " + e, now, out);
      }
    }

    private void reject(
        SourceRecord record, DeadLetterReason reason, String message, long now, MultiOutputReceiver out) {
      Metrics.counter(METRICS_NAMESPACE, "dead_letter_" + reason.name()).inc();
      PaystreamMetrics.DEAD_LETTERS.labelValues(reason.name()).inc();
      DeadLetter letter = DeadLetters.of(record, STAGE, reason, message, now, validator.maxPayloadBytes());
      if (DeadLetters.truncated(letter)) {
        truncated.inc();
      }
      out.get(DEAD_LETTERS).output(letter);
    }

    private static byte[] bytes(ByteBuffer buffer) {
      if (buffer == null) {
        return null;
      }
      ByteBuffer copy = buffer.duplicate();
      byte[] bytes = new byte[copy.remaining()];
      copy.get(bytes);
      return bytes;
    }
  }
}
