package dev.paystream.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaConnectionsTest {
  private static final String JAAS =
      "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"s3cret\";";

  @Test
  void secretsOnTheCommandLineAreRefusedWithoutBeingEchoed() {
    for (String key : List.of("sasl.jaas.config", "ssl.key.password", "ssl.keystore.password", "ssl.truststore.password")) {
      KafkaOptions options = PipelineOptionsFactory.fromArgs("--kafkaProperties=" + key + "=s3cret").as(KafkaOptions.class);
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> KafkaConnections.from(options));
      assertTrue(refused.getMessage().contains("--kafkaPropertiesFile"), refused.getMessage());
      assertFalse(refused.getMessage().contains("s3cret"), refused.getMessage());
    }
  }

  @Test
  void secretsComeFromTheFileAndNeverShowInTheConnection(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("kafka.properties"), "sasl.jaas.config=" + JAAS.replace("\"", "\\\"") + "\n");
    KafkaOptions options =
        PipelineOptionsFactory.fromArgs("--kafkaPropertiesFile=" + file, "--kafkaProperties=security.protocol=SASL_SSL")
            .as(KafkaOptions.class);
    var connection = KafkaConnections.from(options);
    Map<String, Object> config = connection.clientConfig(Map.of());
    assertEquals(JAAS, config.get("sasl.jaas.config"));
    assertEquals("SASL_SSL", config.get("security.protocol"));
    assertFalse(connection.toString().contains("s3cret"), connection.toString());
    assertFalse(options.toString().contains("s3cret"), options.toString());
  }
}
