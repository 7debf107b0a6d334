package dev.paystream.io.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * Where the Kafka cluster is and how to talk to it: bootstrap servers plus any client properties
 * (security.protocol, sasl.*, ssl.*, ...) passed through unchanged to every consumer and producer.
 * {@link #toString()} never shows property values, which may be secrets.
 */
public final class KafkaConnection implements Serializable {
  private final String bootstrapServers;
  private final Map<String, String> clientProperties;

  private KafkaConnection(String bootstrapServers, Map<String, String> clientProperties) {
    this.bootstrapServers = bootstrapServers;
    this.clientProperties = Map.copyOf(clientProperties);
  }

  public static KafkaConnection to(String bootstrapServers) {
    return new KafkaConnection(bootstrapServers, Map.of());
  }

  public KafkaConnection withClientProperties(Map<String, String> properties) {
    Map<String, String> merged = new HashMap<>(clientProperties);
    merged.putAll(properties);
    return new KafkaConnection(bootstrapServers, merged);
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Client properties with {@code overrides} applied on top, ready for a consumer or producer. */
  public Map<String, Object> clientConfig(Map<String, Object> overrides) {
    Map<String, Object> config = new HashMap<>(clientProperties);
    config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.putAll(overrides);
    return config;
  }

  /**
   * A consumer that sees only committed transactions ({@code read_committed}), in no group and
   * committing nothing: how everything that reads our exactly-once output back reads it.
   */
  public KafkaConsumer<byte[], byte[]> readCommittedConsumer() {
    return new KafkaConsumer<>(
        clientConfig(
            Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000)),
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }

  @Override
  public String toString() {
    return "Kafka " + bootstrapServers + " with properties "
        + clientProperties.keySet().stream().sorted().collect(Collectors.joining(", ", "[", "]"));
  }
}
