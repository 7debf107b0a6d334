package dev.paystream.io.kafka;

import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;

/**
 * Drops the elements whose key {@link CommittedKeys} says is already in the committed output: what
 * a predecessor without state wrote before it died, read again by its successor. Counter {@code
 * restart/already_output}.
 */
public final class DropCommitted<T> extends PTransform<PCollection<T>, PCollection<T>> {
  public static final String METRICS_NAMESPACE = "restart";

  private final CommittedKeys committed;
  private final SerializableFunction<T, String> keyFn;

  private DropCommitted(CommittedKeys committed, SerializableFunction<T, String> keyFn) {
    this.committed = committed;
    this.keyFn = keyFn;
  }

  /** Drops elements whose {@code keyFn} key is in {@code committed}. */
  public static <T> DropCommitted<T> of(CommittedKeys committed, SerializableFunction<T, String> keyFn) {
    return new DropCommitted<>(committed, keyFn);
  }

  @Override
  public PCollection<T> expand(PCollection<T> elements) {
    return elements.apply(ParDo.of(new DropFn<>(committed, keyFn))).setCoder(elements.getCoder());
  }

  private static final class DropFn<T> extends DoFn<T, T> {
    private final CommittedKeys committed;
    private final SerializableFunction<T, String> keyFn;
    private final Counter alreadyOutput = Metrics.counter(METRICS_NAMESPACE, "already_output");

    DropFn(CommittedKeys committed, SerializableFunction<T, String> keyFn) {
      this.committed = committed;
      this.keyFn = keyFn;
    }

    @ProcessElement
    public void process(@Element T element, OutputReceiver<T> out) {
      if (committed.apply(keyFn.apply(element))) {
        alreadyOutput.inc();
      } else {
        out.output(element);
      }
    }
  }
}
