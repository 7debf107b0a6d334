package dev.paystream.pipelines.generator;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.paystream.schemas.PaymentEvent;
import java.util.Locale;

/**
 * Which PaymentEvent schema the generated producers write: all v1, all v2, or a mix, as during a
 * rollout where producers upgrade one by one. In the mix a producer is a merchant's gateway: every
 * payment of one merchant has the same version, half the merchants are on each.
 */
public enum SchemaVersion {
  V1,
  V2,
  MIXED;

  /** Accepts {@code v1}, {@code v2}, {@code mixed} in any case ({@code --schemaVersion=mixed}). */
  @JsonCreator
  public static SchemaVersion parse(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }

  /**
   * {@code payment} as its producer writes it: a v1 producer has none of v2's fields.
   *
   * @param payment with every v2 field its producer would know
   */
  public PaymentEvent asWritten(PaymentEvent payment) {
    if (versionOf(payment) >= 2) {
      return payment;
    }
    return PaymentEvent.newBuilder(payment)
        .setCurrency(null)
        .setCardFingerprint(null)
        .setDeviceId(null)
        .setIpAddress(null)
        .setChannel(null)
        .build();
  }

  /** The schema version the producer of {@code payment} writes: 1 or 2. */
  public int versionOf(PaymentEvent payment) {
    return switch (this) {
      case V1 -> 1;
      case V2 -> 2;
      case MIXED -> (payment.getMerchantId().hashCode() & 1) == 0 ? 1 : 2;
    };
  }
}
