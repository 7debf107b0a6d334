package dev.paystream.transforms.validate;

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
 * everything else comes out under {@link #DEAD_LETTERS} with the reason, the original bytes and
 * the source coordinates. Bad input never fails the pipeline.
 *
 * <p>Counters (namespace {@value #METRICS_NAMESPACE}): {@code valid}, and {@code dead_letter_<REASON>}
 * per {@link DeadLetterReason}.
 */
public class ValidatePayments extends PTransform<PCollection<SourceRecord>, PCollectionTuple> {
  public static final String METRICS_NAMESPACE = "validate";
  public static final String STAGE = "validate";
  public static final TupleTag<PaymentEvent> VALID = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};

  /** The clock that bounds event times; processing time in production, fixed in tests. */
  public interface Clock extends Serializable {
    long nowMillis();
  }

  private final PaymentFormat format;
  private final Duration maxFutureSkew;
  private final Clock clock;

  private ValidatePayments(PaymentFormat format, Duration maxFutureSkew, Clock clock) {
    this.format = format;
    this.maxFutureSkew = maxFutureSkew;
    this.clock = clock;
  }

  /** Accepts payments in {@code format}, at most 5 minutes in the future by the system clock. */
  public static ValidatePayments of(PaymentFormat format) {
    return new ValidatePayments(format, Duration.standardMinutes(5), System::currentTimeMillis);
  }

  /** How far ahead of the clock an event time may be before the payment is rejected. */
  public ValidatePayments withMaxFutureSkew(Duration skew) {
    return new ValidatePayments(format, skew, clock);
  }

  public ValidatePayments withClock(Clock clock) {
    return new ValidatePayments(format, maxFutureSkew, clock);
  }

  @Override
  public PCollectionTuple expand(PCollection<SourceRecord> records) {
    PCollectionTuple result =
        records.apply(
            "ParseAndCheck",
            ParDo.of(new ValidateFn(new PaymentValidator(format, maxFutureSkew.getMillis()), clock))
                .withOutputTags(VALID, TupleTagList.of(DEAD_LETTERS)));
    result.get(VALID).setCoder(AvroCoder.of(PaymentEvent.class));
    result.get(DEAD_LETTERS).setCoder(AvroCoder.of(DeadLetter.class));
    return result;
  }

  private static class ValidateFn extends DoFn<SourceRecord, PaymentEvent> {
    private final PaymentValidator validator;
    private final Clock clock;
    private final Counter valid = Metrics.counter(METRICS_NAMESPACE, "valid");

    ValidateFn(PaymentValidator validator, Clock clock) {
      this.validator = validator;
      this.clock = clock;
    }

    @ProcessElement
    public void process(@Element SourceRecord record, MultiOutputReceiver out) {
      byte[] payload = bytes(record.getPayload());
      long now = clock.nowMillis();
      try {
        out.get(VALID).output(validator.validate(payload, now));
        valid.inc();
      } catch (InvalidPaymentException e) {
        reject(record, e.reason(), e.getMessage(), now, out);
      } catch (RuntimeException e) {
        // A decoder bug must not take the pipeline down with it; the record stays traceable.
        reject(record, DeadLetterReason.UNPARSEABLE, "unexpected " + e, now, out);
      }
    }

    private static void reject(
        SourceRecord record, DeadLetterReason reason, String message, long now, MultiOutputReceiver out) {
      Metrics.counter(METRICS_NAMESPACE, "dead_letter_" + reason.name()).inc();
      out.get(DEAD_LETTERS)
          .output(
              DeadLetter.newBuilder()
                  .setPayload(record.getPayload())
                  .setSourceTopic(record.getTopic())
                  .setSourcePartition(record.getPartition())
                  .setSourceOffset(record.getOffset())
                  .setStage(STAGE)
                  .setErrorCode(reason.name())
                  .setMessage(message)
                  .setFailedAt(now)
                  .build());
    }

    private static byte[] bytes(ByteBuffer buffer) {
      ByteBuffer copy = buffer.duplicate();
      byte[] bytes = new byte[copy.remaining()];
      copy.get(bytes);
      return bytes;
    }
  }
}
