package dev.paystream.pipelines.generator;

import static dev.paystream.transforms.validate.DeadLetterReason.FUTURE_TIMESTAMP;
import static dev.paystream.transforms.validate.DeadLetterReason.INCONSISTENT_TOTAL;
import static dev.paystream.transforms.validate.DeadLetterReason.INVALID_AMOUNT;
import static dev.paystream.transforms.validate.DeadLetterReason.INVALID_TIMESTAMP;
import static dev.paystream.transforms.validate.DeadLetterReason.MISSING_FIELD;
import static dev.paystream.transforms.validate.DeadLetterReason.OUT_OF_RANGE;
import static dev.paystream.transforms.validate.DeadLetterReason.UNKNOWN_ENUM;
import static dev.paystream.transforms.validate.DeadLetterReason.UNPARSEABLE;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.transforms.validate.DeadLetterReason;
import dev.paystream.transforms.validate.PaymentFormat;
import dev.paystream.transforms.validate.PaymentJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Ways a payment goes bad on its way to Kafka, each with the one dead-letter reason the validator
 * must give it. Corruptions only JSON can express (a missing or mistyped field) are written as JSON
 * whatever the configured format; the pipeline tells the formats apart by their first bytes.
 */
enum Corruption {
  /** Bytes that are neither Avro nor JSON. */
  GARBAGE(UNPARSEABLE, false, false) {
    @Override
    byte[] payload(PaymentEvent payment, Context context) {
      byte[] bytes = new byte[8 + context.random().nextInt(57)];
      context.random().nextBytes(bytes);
      // A UTF-8 continuation byte can start neither JSON text nor the Avro magic.
      bytes[0] = (byte) (0x80 + context.random().nextInt(0x40));
      return bytes;
    }
  },
  /** A payment cut short, as by a producer that died mid-write. */
  TRUNCATED(UNPARSEABLE, true, false) {
    @Override
    byte[] payload(PaymentEvent payment, Context context) {
      byte[] whole = context.format().encode(payment);
      return Arrays.copyOf(whole, 1 + context.random().nextInt(whole.length - 1));
    }
  },
  /** An enum field with a value no schema version knows. */
  UNKNOWN_ENUM_VALUE(UNKNOWN_ENUM, true, true) {
    private final String[][] fieldAndValue = {
      {"merchant_category", "crypto_exchange"},
      {"payment_method", "barter"},
      {"status", "pending"},
      {"commission_type", "negotiated"},
      {"customer_type", "robot"},
    };

    @Override
    byte[] payload(PaymentEvent payment, Context context) {
      String[] unknown = fieldAndValue[context.random().nextInt(fieldAndValue.length)];
      return editJson(payment, json -> json.put(unknown[0], unknown[1]));
    }
  },
  /** A timestamp in a local, non-ISO format. */
  UNREADABLE_TIMESTAMP(INVALID_TIMESTAMP, true, true) {
    private final DateTimeFormatter localStyle =
        DateTimeFormatter.ofPattern("dd/MM/yyyy HH:mm:ss").withZone(ZoneOffset.UTC);

    @Override
    byte[] payload(PaymentEvent payment, Context context) {
      return editJson(
          payment,
          json ->
              json.put(
                  "timestamp", localStyle.format(Instant.ofEpochMilli(payment.getEventTime()))));
    }
  },
  /** No transaction_id at all. */
  MISSING_TRANSACTION_ID(MISSING_FIELD, true, false) {
    @Override
    byte[] payload(PaymentEvent payment, Context context) {
      return editJson(payment, json -> json.remove("transaction_id"));
    }
  },
  /** A zero or negative amount. */
  NON_POSITIVE_AMOUNT(INVALID_AMOUNT, true, true) {
    @Override
    byte[] payload(PaymentEvent payment, Context context) {
      long amount = context.random().nextBoolean() ? 0 : -payment.getAmount();
      return edit(payment, context, p -> p.setAmount(amount));
    }
  },
  /** A total that is not amount + commission + VAT. */
  TOTAL_MISMATCH(INCONSISTENT_TOTAL, true, true) {
    @Override
    byte[] payload(PaymentEvent payment, Context context) {
      long error =
          (1 + context.random().nextInt(5_000)) * (context.random().nextBoolean() ? 1 : -1);
      return edit(payment, context, p -> p.setTotalAmount(payment.getTotalAmount() + error));
    }
  },
  /** An event time days after the clock of whoever validates it (a device with a wrong clock). */
  FAR_FUTURE(FUTURE_TIMESTAMP, true, true) {
    @Override
    byte[] payload(PaymentEvent payment, Context context) {
      long ahead =
          MIN_FUTURE.toMillis() + (long) (context.random().nextDouble() * FUTURE_SPREAD.toMillis());
      return edit(payment, context, p -> p.setEventTime(context.clockMillis() + ahead));
    }
  },
  /** A risk level outside 1..5. */
  RISK_OUT_OF_RANGE(OUT_OF_RANGE, true, true) {
    @Override
    byte[] payload(PaymentEvent payment, Context context) {
      int risk = context.random().nextBoolean() ? 0 : 6 + context.random().nextInt(5);
      return edit(payment, context, p -> p.setRiskLevel(risk));
    }
  };

  /**
   * What a corruption may use besides the payment.
   *
   * @param clockMillis a time the validator's clock will have reached when the record arrives:
   *     far-future payloads are days past it
   */
  record Context(PaymentFormat format, Random random, long clockMillis) {}

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration MIN_FUTURE = Duration.ofDays(2);
  private static final Duration FUTURE_SPREAD = Duration.ofDays(28);

  final DeadLetterReason reason;
  private final boolean keyed;
  private final boolean carriesTransactionId;

  /**
   * @param keyed whether the record still has its customer as key
   * @param carriesTransactionId whether the payload still has a readable transaction id
   */
  Corruption(DeadLetterReason reason, boolean keyed, boolean carriesTransactionId) {
    this.reason = reason;
    this.keyed = keyed;
    this.carriesTransactionId = carriesTransactionId;
  }

  /** {@code payment} spoilt, as a record sent at {@code timestampMillis}. */
  GeneratedRecord corrupt(PaymentEvent payment, long timestampMillis, Context context) {
    return GeneratedRecord.malformed(
        keyed ? payment.getCustomerId() : null,
        payload(payment, context),
        timestampMillis,
        carriesTransactionId ? payment.getTransactionId() : null,
        reason);
  }

  abstract byte[] payload(PaymentEvent payment, Context context);

  private static byte[] edit(
      PaymentEvent payment, Context context, Consumer<PaymentEvent.Builder> change) {
    PaymentEvent.Builder copy = PaymentEvent.newBuilder(payment);
    change.accept(copy);
    return context.format().encode(copy.build());
  }

  private static byte[] editJson(PaymentEvent payment, Consumer<ObjectNode> change) {
    try {
      ObjectNode json = (ObjectNode) MAPPER.readTree(PaymentJson.encode(payment));
      change.accept(json);
      return MAPPER.writeValueAsBytes(json);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot re-read our own JSON for " + payment.getTransactionId(), e);
    }
  }
}
