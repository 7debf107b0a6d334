package dev.paystream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OptionsFileTest {
  @Test
  void keepsOptionLinesAndDropsCommentsAndBlanks() {
    List<String> args = OptionsFile.parse(List.of("# comment", "--runner=FlinkRunner", "", "   ", "  --parallelism=2  ", "#--x=1"));
    assertEquals(List.of("--runner=FlinkRunner", "--parallelism=2"), args);
  }

  @Test
  void overridesReplaceTheFilesLineAndComeLast() {
    List<String> merged =
        OptionsFile.merge(
            List.of("--runner=FlinkRunner", "--checkpointingInterval=1000", "--parallelism=2"),
            List.of("--checkpointingInterval=500", "--stateBackend=filesystem"));
    assertEquals(List.of("--runner=FlinkRunner", "--parallelism=2", "--checkpointingInterval=500", "--stateBackend=filesystem"), merged);
  }

  @Test
  void valueIsTheLastOneGiven() {
    List<String> args = List.of("--a=1", "--checkpointingInterval=1000", "--checkpointingInterval=250");
    assertEquals(Optional.of("250"), OptionsFile.value(args, "checkpointingInterval"));
    assertEquals(Optional.empty(), OptionsFile.value(args, "checkpointing"));
    assertEquals("--flag", OptionsFile.name("--flag"));
  }

  @Test
  void readsTheFlinkEmbeddedProfileUsersRun() throws Exception {
    // Tests run in bench/; the benchmark reads the same file from the repository root.
    List<String> args = OptionsFile.read(Path.of("../runner-profiles/flink-embedded.options"));
    assertTrue(args.contains("--runner=FlinkRunner"), args::toString);
    assertTrue(args.contains("--flinkMaster=[local]"), args::toString);
    assertTrue(OptionsFile.value(args, "checkpointingInterval").isPresent(), "the EOS sink needs checkpointing");
    assertTrue(args.stream().allMatch(a -> a.startsWith("--")), args::toString);
  }
}
