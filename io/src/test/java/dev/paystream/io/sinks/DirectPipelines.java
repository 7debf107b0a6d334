package dev.paystream.io.sinks;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * DirectRunner pipelines for the sink tests. Beam's {@code TestPipeline} is a JUnit 4 rule and
 * refuses to run without one, so these JUnit 5 tests build plain pipelines on the DirectRunner.
 */
public final class DirectPipelines {

  private DirectPipelines() {}

  /** A pipeline whose {@code run()} blocks until it is done. */
  public static Pipeline create() {
    return create(true);
  }

  /** A pipeline whose {@code run()} returns at once, for tests that act while it runs. */
  public static Pipeline createNonBlocking() {
    return create(false);
  }

  private static Pipeline create(boolean blockOnRun) {
    DirectOptions options = PipelineOptionsFactory.as(DirectOptions.class);
    options.setRunner(DirectRunner.class);
    options.setBlockOnRun(blockOnRun);
    return Pipeline.create(options);
  }

  /**
   * An unbounded stream of {@code elements}, 100 a second, as a streaming pipeline sees its input:
   * the sink is still writing while a test takes its store down.
   */
  public static <T extends SpecificRecord> PCollection<T> streamSlowly(
      Pipeline pipeline, List<T> elements, Class<T> type) {
    return pipeline
        .apply(GenerateSequence.from(0).withRate(100, org.joda.time.Duration.standardSeconds(1)))
        .apply(Filter.lessThan((long) elements.size()))
        .apply(MapElements.into(TypeDescriptor.of(type)).via(i -> elements.get(i.intValue())))
        .setCoder(AvroCoder.of(type));
  }

  /**
   * The committed value of the counter {@code namespace/name}, 0 if it was never incremented.
   * Committed, not attempted: the DirectRunner folds a bundle's attempted metrics in on another
   * thread, so right after {@code waitUntilFinish} the last bundle can still be missing from them.
   */
  public static long counter(PipelineResult result, String namespace, String name) {
    long total = 0;
    for (MetricResult<Long> counter :
        result.metrics().queryMetrics(filter(namespace, name)).getCounters()) {
      total += counter.getCommitted();
    }
    return total;
  }

  /**
   * The committed sum of the distribution {@code namespace/name} over all steps, 0 if it was never
   * updated: e.g. the total time spent writing batches.
   */
  public static long distributionSum(PipelineResult result, String namespace, String name) {
    long total = 0;
    for (MetricResult<DistributionResult> distribution :
        result.metrics().queryMetrics(filter(namespace, name)).getDistributions()) {
      total += distribution.getCommitted().getSum();
    }
    return total;
  }

  private static MetricsFilter filter(String namespace, String name) {
    return MetricsFilter.builder().addNameFilter(MetricNameFilter.named(namespace, name)).build();
  }

  /**
   * Polls {@code condition} every 100 ms until it holds; fails after {@code timeout}, or as soon
   * as {@code running} ends, with its error if it failed.
   */
  public static void await(
      PipelineResult running, String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      // Waiting on the result, rather than sleeping, is what surfaces a failure's exception.
      PipelineResult.State state = running.waitUntilFinish(org.joda.time.Duration.millis(100));
      if (state != null && state.isTerminal()) {
        throw new AssertionError("Pipeline ended " + state + " before " + what);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Timed out after " + timeout + " waiting for " + what);
      }
    }
  }
}
