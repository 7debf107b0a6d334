package dev.paystream.transforms.validate;

import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.wire.PaymentEventWire;
import java.io.IOException;

/** How payment bytes are written on Kafka. */
public enum PaymentFormat {
  /** Avro single-object encoding ({@link PaymentEventWire}): the native wire format. */
  AVRO {
    @Override
    public byte[] encode(PaymentEvent payment) {
      return PaymentEventWire.encode(payment);
    }

    @Override
    public byte[] encode(PaymentEvent payment, int schemaVersion) {
      return PaymentEventWire.encode(payment, schemaVersion);
    }

    @Override
    public PaymentEvent decode(byte[] bytes) throws InvalidPaymentException {
      try {
        return PaymentEventWire.decode(bytes);
      } catch (PaymentEventWire.UnknownSchemaException e) {
        throw new InvalidPaymentException(DeadLetterReason.UNKNOWN_SCHEMA, e.getMessage(), e);
      } catch (IOException e) {
        throw new InvalidPaymentException(DeadLetterReason.UNPARSEABLE, "not an Avro payment: " + e.getMessage(), e);
      }
    }
  },
  /** The JSON that existing producers write ({@link PaymentJson}). */
  JSON {
    @Override
    public byte[] encode(PaymentEvent payment) {
      return PaymentJson.encode(payment);
    }

    @Override
    public PaymentEvent decode(byte[] bytes) throws InvalidPaymentException {
      return PaymentJson.decode(bytes);
    }
  },
  /** Either, told apart by the Avro magic bytes, so both kinds of producer can share a topic. */
  AUTO {
    @Override
    public byte[] encode(PaymentEvent payment) {
      return AVRO.encode(payment);
    }

    @Override
    public byte[] encode(PaymentEvent payment, int schemaVersion) {
      return AVRO.encode(payment, schemaVersion);
    }

    @Override
    public PaymentEvent decode(byte[] bytes) throws InvalidPaymentException {
      return PaymentEventWire.looksLikeAvro(bytes) ? AVRO.decode(bytes) : JSON.decode(bytes);
    }
  };

  public abstract byte[] encode(PaymentEvent payment);

  /**
   * Encodes as a producer on PaymentEvent schema {@code schemaVersion} does. JSON names no schema:
   * a v1 producer's JSON simply lacks v2's fields (leave them null).
   */
  public byte[] encode(PaymentEvent payment, int schemaVersion) {
    return encode(payment);
  }

  /** Decodes the shape of a payment; does not apply business rules. */
  public abstract PaymentEvent decode(byte[] bytes) throws InvalidPaymentException;
}
