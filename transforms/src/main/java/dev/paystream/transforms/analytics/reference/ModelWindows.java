package dev.paystream.transforms.analytics.reference;

import dev.paystream.schemas.PaymentEvent;
import dev.paystream.transforms.analytics.PaymentWindowing;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Window assignment worked out from the definitions, independently of Beam's {@code WindowFn}s:
 * epoch-aligned tumbling and sliding windows, and sessions as runs of payments less than the gap
 * apart.
 */
final class ModelWindows {
  private ModelWindows() {}

  /** Each key's windows and the payments in each. */
  static Map<KeyedWindow, List<PaymentEvent>> assign(
      List<PaymentEvent> payments, Function<PaymentEvent, String> key, PaymentWindowing windowing) {
    Map<String, List<PaymentEvent>> byKey = new LinkedHashMap<>();
    payments.forEach(p -> byKey.computeIfAbsent(key.apply(p), k -> new ArrayList<>()).add(p));
    Map<KeyedWindow, List<PaymentEvent>> windows = new LinkedHashMap<>();
    byKey.forEach(
        (k, keyPayments) -> {
          if (windowing.kind() == PaymentWindowing.Kind.SESSIONS) {
            sessions(k, keyPayments, windowing.gap().getMillis(), windows);
          } else {
            intervals(k, keyPayments, windowing.size().getMillis(), windowing.period().getMillis(), windows);
          }
        });
    return windows;
  }

  private static void intervals(
      String key, List<PaymentEvent> payments, long size, long period, Map<KeyedWindow, List<PaymentEvent>> windows) {
    for (PaymentEvent payment : payments) {
      long t = payment.getEventTime();
      // Every start that is a multiple of the period in (t - size, t].
      for (long start = t - Math.floorMod(t, period); start > t - size; start -= period) {
        windows.computeIfAbsent(new KeyedWindow(key, start, start + size), w -> new ArrayList<>()).add(payment);
      }
    }
  }

  private static void sessions(
      String key, List<PaymentEvent> payments, long gap, Map<KeyedWindow, List<PaymentEvent>> windows) {
    List<PaymentEvent> sorted = new ArrayList<>(payments);
    sorted.sort(Comparator.comparingLong(PaymentEvent::getEventTime));
    List<PaymentEvent> session = new ArrayList<>();
    for (PaymentEvent payment : sorted) {
      // [last, last + gap) and [t, t + gap) overlap, so they merge, exactly when t - last < gap.
      if (!session.isEmpty() && payment.getEventTime() - last(session).getEventTime() >= gap) {
        windows.put(sessionWindow(key, session, gap), session);
        session = new ArrayList<>();
      }
      session.add(payment);
    }
    if (!session.isEmpty()) {
      windows.put(sessionWindow(key, session, gap), session);
    }
  }

  private static KeyedWindow sessionWindow(String key, List<PaymentEvent> sortedSession, long gap) {
    return new KeyedWindow(key, sortedSession.get(0).getEventTime(), last(sortedSession).getEventTime() + gap);
  }

  private static PaymentEvent last(List<PaymentEvent> payments) {
    return payments.get(payments.size() - 1);
  }
}
