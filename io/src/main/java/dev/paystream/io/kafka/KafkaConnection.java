package dev.paystream.io.kafka;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Where the Kafka cluster is and how to talk to it: bootstrap servers plus any client properties
 * (security.protocol, sasl.*, ssl.*, ...) passed through unchanged to every consumer and producer.
 * {@link #toString()} never shows property values, which may be secrets.
 */
public final class KafkaConnection implements Serializable {
  /**
   * Flink savepoints hold the Kafka source Java-serialized, this object within it: the value of the
   * release of 2026-11-29, kept whatever the class becomes, so that its savepoints restore
   * (ReleaseUpgradeIT).
   */
  private static final long serialVersionUID = -7478874309159319089L;

  /**
   * The client settings that hold secrets: those Kafka types PASSWORD ({@code sasl.jaas.config},
   * {@code ssl.key.password}, {@code ssl.keystore.password}, ...).
   */
  public static final Set<String> SECRET_KEYS =
      Stream.of(ConsumerConfig.configDef(), ProducerConfig.configDef(), AdminClientConfig.configDef())
          .flatMap(def -> def.configKeys().values().stream())
          .filter(key -> key.type == ConfigDef.Type.PASSWORD)
          .map(key -> key.name)
          .collect(Collectors.toUnmodifiableSet());

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
   * {@link #clientConfig} without the {@link #SECRET_KEYS}: for Beam's KafkaIO, which shows its
   * consumer and producer configs as display data (runners' UIs, the pipeline's JSON); the secrets
   * come in through {@link #consumerFactory()} and {@link #producerFactory()}.
   */
  public Map<String, Object> shownClientConfig(Map<String, Object> overrides) {
    Map<String, Object> config = clientConfig(overrides);
    config.keySet().removeAll(SECRET_KEYS);
    return config;
  }

  /** KafkaIO's consumer factory, adding the secret settings {@link #shownClientConfig} leaves out. */
  public <K, V> SerializableFunction<Map<String, Object>, Consumer<K, V>> consumerFactory() {
    Map<String, String> secrets = secrets();
    return config -> new KafkaConsumer<>(withSecrets(config, secrets));
  }

  /** KafkaIO's producer factory, adding the secret settings {@link #shownClientConfig} leaves out. */
  public <K, V> SerializableFunction<Map<String, Object>, Producer<K, V>> producerFactory() {
    Map<String, String> secrets = secrets();
    return config -> new KafkaProducer<>(withSecrets(config, secrets));
  }

  private Map<String, String> secrets() {
    Map<String, String> secrets = new HashMap<>(clientProperties);
    secrets.keySet().retainAll(SECRET_KEYS);
    return secrets;
  }

  private static Map<String, Object> withSecrets(Map<String, Object> config, Map<String, String> secrets) {
    Map<String, Object> merged = new HashMap<>(config);
    merged.putAll(secrets);
    return merged;
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
