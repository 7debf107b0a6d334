package dev.paystream.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/** The analytics job's guard: on Flink it runs with copies whatever --fasterCopy says. */
class FasterCopyTest {
  @Test
  void onFlinkFasterCopyIsTurnedOff() {
    FlinkPipelineOptions options =
        PipelineOptionsFactory.fromArgs("--runner=FlinkRunner", "--fasterCopy=true").as(FlinkPipelineOptions.class);
    assertEquals(FlinkRunner.class, options.getRunner());

    assertTrue(FasterCopy.turnOff(options, "test"), "it was on");
    assertFalse(options.getFasterCopy());
    assertFalse(FasterCopy.turnOff(options, "test"), "already off");
  }

  @Test
  void onTheDirectRunnerNothingChanges() {
    FlinkPipelineOptions options =
        PipelineOptionsFactory.fromArgs("--runner=DirectRunner", "--fasterCopy=true").as(FlinkPipelineOptions.class);
    assertEquals(DirectRunner.class, options.getRunner());

    assertFalse(FasterCopy.turnOff(options, "test"));
    assertTrue(options.getFasterCopy(), "not the Flink runner's business");
  }
}
