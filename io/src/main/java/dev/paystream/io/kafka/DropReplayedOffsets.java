package dev.paystream.io.kafka;

import dev.paystream.schemas.SourceRecord;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Drops Kafka records whose offset a partition already delivered: a guard against a source that
 * reads a partition twice.
 *
 * <p>Beam 2.62's Flink runner does that after a restore from a savepoint or checkpoint (Beam
 * #34890): the readers get their splits back from the snapshot, and the split enumerator then
 * splits the topic again and hands the same partitions out a second time, to fresh readers that
 * start at the consumer group's committed offsets. Both emit until the fresh reader replaces the
 * restored one, so the records read in between arrive twice. Our payment de-duplication hid the
 * second copy of a valid payment; a malformed record was dead-lettered twice.
 *
 * <p>A Kafka reader delivers a partition in offset order, so a record is new exactly when its offset
 * is above the highest one seen for its partition. That highest offset is Beam state per {@code
 * topic/partition}, checkpointed with the source position, so a restored job remembers it. A second
 * reader of the same partition, however interleaved with the first, gets each offset through once.
 * The state is one number per partition; the price is a shuffle by partition behind the source.
 *
 * <p>Counter (namespace {@value #METRICS_NAMESPACE}): {@code replayed_records}, the records dropped.
 * A topic deleted and created again under the same name restarts its offsets: give such a topic a
 * fresh job, not a restored one.
 */
public class DropReplayedOffsets extends PTransform<PCollection<SourceRecord>, PCollection<SourceRecord>> {
  public static final String METRICS_NAMESPACE = "kafka_source";

  private DropReplayedOffsets() {}

  public static DropReplayedOffsets create() {
    return new DropReplayedOffsets();
  }

  @Override
  public PCollection<SourceRecord> expand(PCollection<SourceRecord> records) {
    return records
        .apply(
            "KeyByPartition",
            WithKeys.of((SourceRecord record) -> record.getTopic() + "/" + record.getPartition())
                .withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(SourceRecord.class)))
        .apply("DropOffsetsAlreadySeen", ParDo.of(new DropSeenFn()))
        .setCoder(AvroCoder.of(SourceRecord.class));
  }

  private static class DropSeenFn extends DoFn<KV<String, SourceRecord>, SourceRecord> {
    private final Counter replayed = Metrics.counter(METRICS_NAMESPACE, "replayed_records");

    @StateId("highestOffset")
    private final StateSpec<ValueState<Long>> highestOffsetSpec = StateSpecs.value(VarLongCoder.of());

    @ProcessElement
    public void process(
        @Element KV<String, SourceRecord> element,
        @StateId("highestOffset") ValueState<Long> highestOffset,
        OutputReceiver<SourceRecord> out) {
      SourceRecord record = element.getValue();
      Long offset = record.getOffset();
      if (offset == null) { // not from Kafka: nothing to compare
        out.output(record);
        return;
      }
      Long highest = highestOffset.read();
      if (highest != null && offset <= highest) {
        replayed.inc();
        return;
      }
      highestOffset.write(offset);
      out.output(record);
    }
  }
}
