package dev.paystream.transforms.analytics.reference;

import dev.paystream.schemas.PaymentEvent;
import dev.paystream.transforms.analytics.PaymentWindowing;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.joda.time.Duration;

/**
 * Reference model of {@code CustomerSessions}: every customer's final sessions, computed plainly
 * from a list of payments, as if none arrived too late.
 */
public final class SessionModel {
  private SessionModel() {}

  /** Keyed by customer id and session window {@code [first payment, last payment + gap)}. */
  public static Map<KeyedWindow, ExpectedSession> sessions(List<PaymentEvent> payments, Duration gap) {
    Map<KeyedWindow, ExpectedSession> sessions = new LinkedHashMap<>();
    ModelWindows.assign(payments, PaymentEvent::getCustomerId, PaymentWindowing.sessions(gap))
        .forEach((window, inSession) -> sessions.put(window, summarize(inSession)));
    return sessions;
  }

  private static ExpectedSession summarize(List<PaymentEvent> payments) {
    return new ExpectedSession(
        payments.stream().mapToLong(PaymentEvent::getEventTime).min().orElseThrow(),
        payments.stream().mapToLong(PaymentEvent::getEventTime).max().orElseThrow(),
        payments.size(),
        payments.stream().mapToLong(PaymentEvent::getAmount).sum(),
        payments.stream().map(PaymentEvent::getMerchantId).distinct().count());
  }
}
