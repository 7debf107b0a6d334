package dev.paystream.transforms.state;

/** Which layout the customer-keyed steps write their payments in ({@link StateCoders#payments}). */
public enum PaymentCoder {
  /** {@link CompactPaymentCoder}: the default since issue 16. */
  COMPACT,
  /** Avro binary of the current schema, as before issue 16: kept to measure the two in one run. */
  AVRO
}
