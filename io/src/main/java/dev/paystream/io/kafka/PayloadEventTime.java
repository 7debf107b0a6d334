package dev.paystream.io.kafka;

import java.io.Serializable;
import org.joda.time.Instant;

/**
 * The event time a record's payload carries, for the readers of the payments topic to stamp
 * elements and move the watermark with. The pipelines supply it from their validation, so that io
 * needs no knowledge of the payment format and only payments the pipeline will accept move the
 * watermark.
 */
@FunctionalInterface
public interface PayloadEventTime extends Serializable {
  /**
   * @param payload the record's value; null for a tombstone
   * @return the payload's event time, or null if it has none the pipeline would accept (unreadable,
   *     rejected by validation): such a record must not move the watermark
   */
  Instant of(byte[] payload);
}
