package dev.paystream.pipelines.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.pipelines.FraudDetectionOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** The pipeline arguments of a README Flink command, as the shell would expand them, parsed as Beam would. */
final class FlinkCommandOptions {
  private static final Pattern OPTIONS_FILE = Pattern.compile("\\$\\(grep -h?v '\\^#' ([^)]+)\\)");

  private FlinkCommandOptions() {}

  /** Every option the command passes is one the fraud pipeline on the FlinkRunner knows. */
  static void assertParse(String command) throws IOException {
    List<String> args = new ArrayList<>();
    Matcher files = OPTIONS_FILE.matcher(command);
    assertTrue(files.find(), command);
    for (String file : files.group(1).trim().split("\\s+")) {
      for (String line : Files.readAllLines(Readme.ROOT.resolve(file))) {
        if (!line.isBlank() && !line.startsWith("#")) {
          args.add(line.strip());
        }
      }
    }
    for (String word : command.substring(files.end()).trim().split("\\s+")) {
      args.add(word);
    }
    PipelineOptionsFactory.register(FraudDetectionOptions.class);
    FlinkPipelineOptions options =
        PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).withValidation().as(FlinkPipelineOptions.class);
    assertEquals(FlinkRunner.class, options.getRunner(), command);
    assertTrue(options.getCheckpointingInterval() > 0, "exactly-once on Flink needs checkpoints: " + command);
  }
}
