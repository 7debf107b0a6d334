package dev.paystream.pipelines;

import dev.paystream.pipelines.generator.GeneratedRecord;
import dev.paystream.schemas.SourceRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;

/** Generated records as the Kafka source would give them, from a TestStream: no Kafka needed. */
public final class GeneratedStream {
  private GeneratedStream() {}

  /**
   * {@code records} in the generator's order, {@code step} at a time: the DirectRunner finishes a
   * step before it starts the next, so records reach the stateful steps in the order a partition
   * would deliver them, give or take one step. The watermark stays put until the last step, then
   * goes to infinity (nothing is late).
   */
  public static PCollection<SourceRecord> read(Pipeline pipeline, List<GeneratedRecord> records, int step) {
    TestStream.Builder<SourceRecord> stream = TestStream.create(AvroCoder.of(SourceRecord.class));
    for (int from = 0; from < records.size(); from += step) {
      List<TimestampedValue<SourceRecord>> elements = new ArrayList<>(step);
      for (int i = from; i < Math.min(records.size(), from + step); i++) {
        GeneratedRecord record = records.get(i);
        SourceRecord source = new SourceRecord(ByteBuffer.wrap(record.value()), "payments", 0, (long) i, record.timestampMillis());
        elements.add(TimestampedValue.of(source, new Instant(record.timestampMillis())));
      }
      stream = stream.addElements(elements.get(0), elements.subList(1, elements.size()).toArray(TimestampedValue[]::new));
    }
    return pipeline.apply("Generated", stream.advanceWatermarkToInfinity());
  }
}
