package dev.paystream.io.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LaunchOptionsTest {

  @Test
  void defaultsAreTheUsualPortsAndTheCheckoutDataDir() {
    LaunchOptions options = LaunchOptions.parse();

    assertEquals(9092, options.kafkaPort());
    assertEquals(5432, options.postgresPort());
    assertEquals(6379, options.redisPort());
    assertEquals(Path.of(".paystream", "localstack"), options.dataDir());
    assertTrue(options.topics().isEmpty());
    assertFalse(options.help());
  }

  @Test
  void parsesEveryOption() {
    LaunchOptions options =
        LaunchOptions.parse(
            "--kafkaPort=19092",
            "--postgresPort=0",
            "--redisPort=16379",
            "--dataDir=/tmp/stack",
            "--topics=payments:4,decisions:1");

    assertEquals(19092, options.kafkaPort());
    assertEquals(0, options.postgresPort());
    assertEquals(16379, options.redisPort());
    assertEquals(Path.of("/tmp/stack"), options.dataDir());
    assertEquals(Map.of("payments", 4, "decisions", 1), options.topics());
  }

  @Test
  void helpNeedsNoValue() {
    assertTrue(LaunchOptions.parse("--help").help());
  }

  @Test
  void rejectsUnknownArguments() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> LaunchOptions.parse("--kafka=1"));

    assertEquals("Unknown argument: --kafka=1", e.getMessage());
  }

  @Test
  void rejectsBadPortsAndTopics() {
    assertThrows(IllegalArgumentException.class, () -> LaunchOptions.parse("--kafkaPort=abc"));
    assertThrows(IllegalArgumentException.class, () -> LaunchOptions.parse("--redisPort=70000"));
    assertThrows(IllegalArgumentException.class, () -> LaunchOptions.parse("--redisPort="));
    assertThrows(IllegalArgumentException.class, () -> LaunchOptions.parse("--topics=payments"));
    assertThrows(IllegalArgumentException.class, () -> LaunchOptions.parse("--topics=p:0"));
  }
}
