package dev.paystream.pipelines;

import dev.paystream.io.kafka.CommittedTopicReader;
import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.FraudDecision;
import dev.paystream.schemas.wire.FraudDecisionWire;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Runs the fraud pipeline until its committed output accounts for a known input, then stops it:
 * how the demo and the integration tests drive a streaming job that never ends by itself.
 */
public final class FraudRun {

  /**
   * What the pipeline committed, read back as a downstream consumer would, and its metrics as they
   * stood just before the job was cancelled (a Flink job's metrics are gone once it is).
   */
  public record Output(
      List<FraudDecision> decisions,
      List<DeadLetter> deadLetters,
      Duration elapsed,
      PipelineResult result,
      MetricQueryResults metrics) {

    /** A counter's value (attempted: what ran, including retried bundles' final attempt). */
    public long counter(String namespace, String name) {
      long total = 0;
      for (MetricResult<Long> counter : metrics.getCounters()) {
        if (counter.getName().getNamespace().equals(namespace) && counter.getName().getName().equals(name)) {
          total += counter.getAttempted();
        }
      }
      return total;
    }
  }

  private FraudRun() {}

  /**
   * Starts the pipeline, waits until {@code expectedDecisions} decisions and {@code
   * expectedDeadLetters} dead letters are committed (or {@code timeout} passes), keeps reading for
   * {@code settle} to catch anything extra, then cancels the job.
   */
  public static Output runUntil(
      FraudDetectionOptions options, long expectedDecisions, long expectedDeadLetters, Duration timeout, Duration settle)
      throws IOException {
    try {
      return runUntil(options, expectedDecisions, expectedDeadLetters, timeout, settle, result -> {});
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** What to do with the still running job once its output has been read, before it is cancelled. */
  @FunctionalInterface
  public interface BeforeCancel {
    void accept(PipelineResult result) throws IOException, InterruptedException;
  }

  /**
   * Like {@link #runUntil(FraudDetectionOptions, long, long, Duration, Duration)}, and runs {@code
   * beforeCancel} on the job before cancelling it: to read what only a running job can tell, such as
   * a Flink job's metrics.
   */
  public static Output runUntil(
      FraudDetectionOptions options,
      long expectedDecisions,
      long expectedDeadLetters,
      Duration timeout,
      Duration settle,
      BeforeCancel beforeCancel)
      throws IOException, InterruptedException {
    return run(options, expectedDecisions, expectedDeadLetters, timeout, settle, beforeCancel, output -> {});
  }

  /** What to do with the output while the job still runs (print it, keep the job up), before it is cancelled. */
  @FunctionalInterface
  public interface WhileRunning {
    void accept(Output output) throws IOException, InterruptedException;
  }

  /**
   * Like {@link #runUntil(FraudDetectionOptions, long, long, Duration, Duration)}, and hands the
   * output to {@code whileRunning} before the job is cancelled: how the demo reports and then, with
   * {@code --keepRunning}, keeps the job up.
   */
  public static Output runThen(
      FraudDetectionOptions options,
      long expectedDecisions,
      long expectedDeadLetters,
      Duration timeout,
      Duration settle,
      WhileRunning whileRunning)
      throws IOException, InterruptedException {
    return run(options, expectedDecisions, expectedDeadLetters, timeout, settle, result -> {}, whileRunning);
  }

  private static Output run(
      FraudDetectionOptions options,
      long expectedDecisions,
      long expectedDeadLetters,
      Duration timeout,
      Duration settle,
      BeforeCancel beforeCancel,
      WhileRunning whileRunning)
      throws IOException, InterruptedException {
    KafkaConnection kafka = KafkaConnections.from(options);
    Pipeline pipeline = Pipeline.create(options);
    FraudDetectionPipeline.build(pipeline, options);
    try (CommittedTopicReader decisions = new CommittedTopicReader(kafka, options.getDecisionsTopic());
        CommittedTopicReader deadLetters = new CommittedTopicReader(kafka, options.getDeadLetterTopic())) {
      long start = System.nanoTime();
      PipelineResult result = pipeline.run();
      try (PipelineMain.Registration cancelOnStop = PipelineMain.closeOnShutdown("the pipeline", () -> PipelineMain.cancel(result))) {
        long deadline = start + timeout.toNanos();
        List<ConsumerRecord<byte[], byte[]>> decided = decisions.readUntil(r -> r.size() >= expectedDecisions, timeout);
        Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        List<ConsumerRecord<byte[], byte[]>> rejected = deadLetters.readUntil(r -> r.size() >= expectedDeadLetters, left);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        decided = decisions.drain(settle);
        rejected = deadLetters.drain(Duration.ofMillis(1));
        beforeCancel.accept(result);
        Output output =
            new Output(
                CommittedTopicReader.values(decided, FraudDecisionWire.decoder()),
                CommittedTopicReader.values(rejected, DeadLetter.getDecoder()),
                elapsed,
                result,
                result.metrics().allMetrics());
        whileRunning.accept(output);
        return output;
      } finally {
        PipelineMain.cancel(result);
      }
    }
  }
}
