package dev.paystream.transforms.analytics;

import dev.paystream.schemas.CustomerSession;
import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.PaymentEvent;
import java.util.List;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Max;
import org.apache.beam.sdk.transforms.Min;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Customer sessions: per customer, payments less than the session gap apart form one session. For
 * each session and pane one {@link CustomerSession} comes out under {@link #SESSIONS}: first and
 * last payment time, length, number of payments, total amount and distinct merchants. A late
 * payment can extend a session or join two, so a later pane's window can cover earlier ones.
 *
 * <p>Too-late payments come out under {@link #DEAD_LETTERS} as for {@link WindowedPaymentStats}.
 * For sessions, "too late" is judged on the payment's own window {@code [t, t + gap)}, as Beam's
 * GroupByKey does: a payment can be too late even if the session it would have joined is open.
 */
public class CustomerSessions extends PTransform<PCollection<PaymentEvent>, PCollectionTuple> {
  public static final TupleTag<CustomerSession> SESSIONS = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = WindowPayments.DEAD_LETTERS;

  private final PaymentWindowing windowing;

  private CustomerSessions(PaymentWindowing windowing) {
    this.windowing = windowing;
  }

  /** {@code windowing} must be {@link PaymentWindowing#sessions}; its gap separates sessions. */
  public static CustomerSessions of(PaymentWindowing windowing) {
    if (windowing.kind() != PaymentWindowing.Kind.SESSIONS) {
      throw new IllegalArgumentException("customer sessions need session windows, not " + windowing.kind());
    }
    return new CustomerSessions(windowing);
  }

  @Override
  public PCollectionTuple expand(PCollection<PaymentEvent> payments) {
    List<CombinedField<?, ?, CustomerSession.Builder>> fields =
        List.of(
            CombinedField.of(
                PaymentEvent::getEventTime,
                VarLongCoder.of(),
                Count.combineFn(),
                CustomerSession.Builder::setPaymentCount),
            CombinedField.of(
                PaymentEvent::getAmount, VarLongCoder.of(), Sum.ofLongs(), CustomerSession.Builder::setAmountSum),
            CombinedField.of(
                PaymentEvent::getEventTime,
                VarLongCoder.of(),
                Min.ofLongs(),
                CustomerSession.Builder::setFirstPaymentTime),
            CombinedField.of(
                PaymentEvent::getEventTime,
                VarLongCoder.of(),
                Max.ofLongs(),
                CustomerSession.Builder::setLastPaymentTime),
            CombinedField.of(
                PaymentEvent::getMerchantId,
                StringUtf8Coder.of(),
                PaymentStatistic.distinct(),
                CustomerSession.Builder::setDistinctMerchants));
    return payments.apply(
        new WindowedCombine<>(
            new WindowPayments("customer_sessions", windowing, PaymentEvent::getCustomerId),
            CombinedField.compose(fields),
            (customer, pane, combined) -> {
              CustomerSession.Builder session = CustomerSession.newBuilder().setCustomerId(customer).setWindow(pane);
              CombinedField.fill(fields, combined, session);
              return session.setLengthMillis(session.getLastPaymentTime() - session.getFirstPaymentTime()).build();
            },
            SESSIONS,
            AvroCoder.of(CustomerSession.class)));
  }
}
