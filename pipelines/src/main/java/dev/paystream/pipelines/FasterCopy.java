package dev.paystream.pipelines;

import java.lang.reflect.InvocationTargetException;
import org.apache.beam.sdk.options.PipelineOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Beam's {@code --fasterCopy} (a Flink runner option): Flink then hands an element from one chained
 * operator to the next without copying it, and its heap state backend no longer copies a state value
 * that a checkpoint is writing out while the job reads it. Safe only where nothing changes an
 * element after emitting it or a value read from state in place. The fraud job's steps never do
 * (see {@code InPlaceMutationTest}); Beam's own windowing code does: its combining state adds each
 * input to the accumulator read from state ({@code FlinkCombiningState.add}: our statistics'
 * quantile buffers, distinct sets and top-merchant heaps) and its merging-window set updates the map
 * it read (session windows). So the analytics job runs with the copies, whatever its options say.
 */
final class FasterCopy {
  private static final Logger LOG = LoggerFactory.getLogger(FasterCopy.class);
  static final String FLINK_OPTIONS = "org.apache.beam.runners.flink.FlinkPipelineOptions";

  private FasterCopy() {}

  /** On the Flink runner, sets {@code --fasterCopy=false}; returns whether it was on. */
  static boolean turnOff(PipelineOptions options, String why) {
    // by name: the Flink runner is not on the DirectRunner build's classpath
    if (!options.getRunner().getSimpleName().startsWith("Flink")) {
      return false;
    }
    try {
      Class<? extends PipelineOptions> type =
          Class.forName(FLINK_OPTIONS, true, options.getRunner().getClassLoader()).asSubclass(PipelineOptions.class);
      PipelineOptions flink = options.as(type);
      boolean wasOn = Boolean.TRUE.equals(type.getMethod("getFasterCopy").invoke(flink));
      if (wasOn) {
        type.getMethod("setFasterCopy", Boolean.class).invoke(flink, Boolean.FALSE);
        LOG.warn("--fasterCopy=true ignored: {}", why);
      }
      return wasOn;
    } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot read --fasterCopy of the Flink runner", e);
    }
  }
}
