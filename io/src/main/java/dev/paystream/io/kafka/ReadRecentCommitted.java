package dev.paystream.io.kafka;

import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Impulse;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * The values a topic holds in committed transactions written within the last {@code lookback}, read
 * once when the pipeline starts (on a worker, not in the job graph). A process that restarts
 * without state drops the payments its predecessor already decided ({@link CommittedKeys}); the
 * decisions Kafka committed but whose PostgreSQL rows (or Redis features) the dead process had not
 * yet written would then never reach the store. Writing these values again makes the stores
 * converge to what Kafka committed (the upsert is idempotent, the Redis write newest-wins). Counter {@code restart/committed_values_replayed}.
 *
 * <p>The values come from the same read of the topic as the keys of the {@link CommittedKeys} they
 * are given with (see {@link CommittedKeys#forEachValue}): at start a pipeline reads its committed
 * output once for both.
 */
public final class ReadRecentCommitted extends PTransform<PBegin, PCollection<byte[]>> {
  private final CommittedKeys committed;

  private ReadRecentCommitted(CommittedKeys committed) {
    this.committed = committed;
  }

  /** The values behind {@code committed}'s keys, read together with them. */
  public static ReadRecentCommitted values(CommittedKeys committed) {
    if (committed == null) {
      throw new IllegalArgumentException("committed must not be null");
    }
    return new ReadRecentCommitted(committed);
  }

  @Override
  public PCollection<byte[]> expand(PBegin begin) {
    return begin
        .apply("Start", Impulse.create())
        .apply("ReadCommittedValues", ParDo.of(new ReadFn(committed)))
        .setCoder(ByteArrayCoder.of());
  }

  private static final class ReadFn extends DoFn<byte[], byte[]> {
    private final CommittedKeys committed;
    private final Counter replayed = Metrics.counter(DropCommitted.METRICS_NAMESPACE, "committed_values_replayed");

    ReadFn(CommittedKeys committed) {
      this.committed = committed;
    }

    @ProcessElement
    public void process(OutputReceiver<byte[]> out) {
      committed.forEachValue(value -> {
        out.output(value);
        replayed.inc();
      });
    }
  }
}
