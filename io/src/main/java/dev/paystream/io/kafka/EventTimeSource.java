package dev.paystream.io.kafka;

/** Where the readers of the payments topic take an element's event time from. */
public enum EventTimeSource {
  /**
   * The payment's own time ({@code timestamp} in JSON, {@code event_time} in Avro), whatever the
   * producer set as the record timestamp. Records without an acceptable payment time hold the
   * watermark where it is.
   */
  PAYMENT,
  /**
   * The Kafka record timestamp: right only when every producer stamps records with the payment time
   * (our generator does; Kafka's console producer and most clients stamp the send time).
   */
  KAFKA_RECORD
}
