package dev.paystream.io.kafka;

import dev.paystream.schemas.SourceRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.io.kafka.KafkaCheckpointMark;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.runners.TransformHierarchy;

/** KafkaIO's legacy {@link UnboundedSource}, read in batches of {@link SourceRecord}s. */
final class KafkaSources {
  private KafkaSources() {}

  /**
   * {@code read}'s records as {@link BatchingUnboundedSource} batches of up to {@code maxRecords}.
   * KafkaIO keeps its source to itself ({@code makeSource} is package-private): it is taken from
   * {@code read} expanded in a scratch pipeline with {@code options}, where KafkaIO reads through
   * {@link Read#from(UnboundedSource)} unless {@code use_sdf_read} is set.
   */
  @SuppressWarnings("unchecked")
  static BatchingUnboundedSource<KafkaRecord<byte[], byte[]>, SourceRecord, KafkaCheckpointMark> inBatches(
      KafkaIO.Read<byte[], byte[]> read, int maxRecords, PipelineOptions options) {
    Pipeline scratch = Pipeline.create(options);
    scratch.apply(read);
    List<UnboundedSource<?, ?>> found = new ArrayList<>();
    scratch.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
            collect(node);
            return CompositeBehavior.ENTER_TRANSFORM;
          }

          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            collect(node);
          }

          private void collect(TransformHierarchy.Node node) {
            if (node.getTransform() instanceof Read.Unbounded<?> unbounded) {
              found.add(unbounded.getSource());
            }
          }
        });
    if (found.size() != 1) {
      throw new IllegalStateException(
          "KafkaIO did not read through one UnboundedSource (found " + found.size()
              + "; with --experiments=use_sdf_read it reads through a splittable DoFn): read without batches");
    }
    UnboundedSource<KafkaRecord<byte[], byte[]>, KafkaCheckpointMark> source =
        (UnboundedSource<KafkaRecord<byte[], byte[]>, KafkaCheckpointMark>) found.get(0);
    return new BatchingUnboundedSource<>(source, maxRecords, ReadPaymentRecords::toSourceRecord, AvroCoder.of(SourceRecord.class));
  }
}
