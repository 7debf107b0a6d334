package dev.paystream.pipelines;

import dev.paystream.io.kafka.WriteExactlyOnce;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the mains of this module end. Kafka clients, JDBC pools and the runners leave non-daemon
 * threads behind, so a main whose thread simply dies (a failed pipeline throws {@code
 * PipelineExecutionException}) would leave its JVM running, silent. Here:
 *
 * <ul>
 *   <li>{@link #exit} runs a main's body and always ends the JVM: with the body's code, or with
 *       {@value #FAILED} after logging the error;
 *   <li>{@link #runUntilDone} runs a pipeline without blocking in {@code run()}, so that a SIGTERM
 *       or Ctrl-C can cancel it, then waits for its end; on the way out it also closes the
 *       exactly-once sinks' producers (Flink embedded does not cancel its job when the JVM stops);
 *   <li>{@link #closeOnShutdown} closes what a main opened (a pipeline, producers, the local stack)
 *       when the JVM is asked to stop, newest first, each within {@link #STOP_WAIT}; the JVM then
 *       exits with the signal's code (143 for SIGTERM, 130 for Ctrl-C).
 * </ul>
 */
public final class PipelineMain {
  /** The exit code of a main whose work failed. */
  public static final int FAILED = 1;
  /** How long one shutdown action may take before the JVM stops without it. */
  public static final Duration STOP_WAIT = Duration.ofSeconds(10);

  private static final Logger LOG = LoggerFactory.getLogger(PipelineMain.class);
  /** Newest first; one JVM shutdown hook runs them in order, so a pipeline stops before its stack. */
  private static final Deque<Action> ON_SHUTDOWN = new ArrayDeque<>();
  private static boolean hookAdded;

  private PipelineMain() {}

  /** A main's work: returns the process's exit code. */
  @FunctionalInterface
  public interface Body {
    int run() throws Exception;
  }

  /** Runs {@code body} and exits the JVM with its code, or with {@value #FAILED} once the failure is logged. */
  public static void exit(Class<?> main, Body body) {
    int code;
    try {
      code = body.run();
    } catch (Throwable e) {
      LoggerFactory.getLogger(main).error("{} failed, exiting with {}", main.getSimpleName(), FAILED, e);
      code = FAILED;
    }
    System.exit(code);
  }

  /**
   * Runs {@code pipeline} until it ends; on the DirectRunner, cancels it if the JVM is asked to stop.
   *
   * @return 0 once the pipeline is done (a streaming pipeline only is if cancelled or drained)
   * @throws org.apache.beam.sdk.Pipeline.PipelineExecutionException if the pipeline failed
   */
  public static int runUntilDone(Pipeline pipeline) {
    // Run last on the way out (actions run newest first): whatever producers of the exactly-once
    // sinks this JVM still has open are closed, aborting their transactions. Flink embedded in the
    // process does not cancel its job when the JVM stops, so nothing else would close them.
    try (Registration producers = closeOnShutdown(
        "the Kafka sink producers", () -> WriteExactlyOnce.closeProducers(STOP_WAIT.dividedBy(2)))) {
      if (!pipeline.getOptions().getRunner().getName().equals("org.apache.beam.runners.direct.DirectRunner")) {
        // Flink's run() is the wait: attached (the default) it returns when the job ends and throws if
        // it failed; detached (--attachedMode=false) it returns once the job is submitted, which is
        // all the client has to do (waitUntilFinish would wait for the cluster's job to end).
        pipeline.run();
        return 0;
      }
      DirectRunnerSettings.returnFromRun(pipeline.getOptions());
      PipelineResult result = pipeline.run();
      try (Registration cancel = closeOnShutdown("the pipeline", () -> cancel(result))) {
        PipelineResult.State state = result.waitUntilFinish();
        LOG.info("The pipeline ended: {}", state);
        return state == PipelineResult.State.DONE ? 0 : FAILED;
      }
    }
  }

  /**
   * Closes {@code resource} when the JVM is asked to stop, until the returned registration is
   * closed (a resource closed by its owner needs no closing on shutdown).
   */
  public static synchronized Registration closeOnShutdown(String what, AutoCloseable resource) {
    if (!hookAdded) {
      Runtime.getRuntime().addShutdownHook(new Thread(PipelineMain::runShutdownActions, "paystream-shutdown"));
      hookAdded = true;
    }
    Action action = new Action(what, resource);
    ON_SHUTDOWN.push(action);
    return () -> {
      synchronized (PipelineMain.class) {
        ON_SHUTDOWN.remove(action);
      }
    };
  }

  /** Withdraws a shutdown action. */
  @FunctionalInterface
  public interface Registration extends AutoCloseable {
    @Override
    void close();
  }

  private record Action(String what, AutoCloseable resource) {}

  private static void runShutdownActions() {
    Action[] actions;
    synchronized (PipelineMain.class) {
      actions = ON_SHUTDOWN.toArray(new Action[0]);
      ON_SHUTDOWN.clear();
    }
    for (Action action : actions) {
      LOG.info("Stopping: closing {}", action.what());
      // In a thread of its own, so that a close that hangs cannot keep the JVM from stopping.
      Thread closer = new Thread(() -> closeQuietly(action), "paystream-close");
      closer.setDaemon(true);
      closer.start();
      try {
        closer.join(STOP_WAIT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (closer.isAlive()) {
        LOG.warn("Closing {} took over {} s; stopping without waiting for it", action.what(), STOP_WAIT.toSeconds());
      }
    }
  }

  private static void closeQuietly(Action action) {
    try {
      action.resource().close();
    } catch (Exception e) {
      LOG.warn("Closing {} failed: {}", action.what(), e.toString());
    }
  }

  /**
   * Cancels the job. An embedded Flink cluster shuts down as soon as its job ends, so asking for the
   * job's state right after the cancellation (as Flink's {@code PipelineResult.cancel()} does) may
   * fail although the job was cancelled: that is logged, not thrown.
   */
  public static void cancel(PipelineResult result) {
    try {
      result.cancel();
    } catch (IOException | RuntimeException e) {
      LOG.warn("Cancelling the job reported an error (the job may already be gone): {}", e.toString());
    }
  }

  /**
   * The DirectRunner's {@code run()} blocks by default, leaving no {@link PipelineResult} to cancel.
   * A class of its own, loaded only for the DirectRunner: the Flink job jar has no DirectRunner.
   */
  private static final class DirectRunnerSettings {
    static void returnFromRun(PipelineOptions options) {
      options.as(org.apache.beam.runners.direct.DirectOptions.class).setBlockOnRun(false);
    }
  }
}
