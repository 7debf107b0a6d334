package dev.paystream.pipelines;

import dev.paystream.io.kafka.KafkaConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/** Builds a {@link KafkaConnection} from {@link KafkaOptions}. */
public final class KafkaConnections {
  /**
   * The client settings that hold secrets (Kafka types them PASSWORD: {@code sasl.jaas.config},
   * {@code ssl.key.password}, ...): refused in {@code --kafkaProperties}, whose values Beam and
   * Flink print with the options (Flink's web UI, /jobs/&lt;id&gt;/config).
   */
  static final Set<String> SECRET_KEYS =
      Stream.of(ConsumerConfig.configDef(), ProducerConfig.configDef(), AdminClientConfig.configDef())
          .flatMap(def -> def.configKeys().values().stream())
          .filter(key -> key.type == ConfigDef.Type.PASSWORD)
          .map(key -> key.name)
          .collect(Collectors.toUnmodifiableSet());

  private KafkaConnections() {}

  public static KafkaConnection from(KafkaOptions options) {
    Map<String, String> properties = new LinkedHashMap<>();
    String file = options.getKafkaPropertiesFile();
    if (file != null && !file.isBlank()) {
      Properties loaded = new Properties();
      try (InputStream in = Files.newInputStream(Path.of(file))) {
        loaded.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read --kafkaPropertiesFile " + file, e);
      }
      loaded.stringPropertyNames().forEach(name -> properties.put(name, loaded.getProperty(name)));
    }
    List<String> pairs = options.getKafkaProperties();
    if (pairs != null) {
      for (String pair : pairs) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("--kafkaProperties entries must be key=value; got an entry without '='");
        }
        String key = pair.substring(0, eq).trim();
        if (SECRET_KEYS.contains(key)) {
          // The option's value, and so the secret, would be shown wherever the options are.
          throw new IllegalArgumentException(
              "--kafkaProperties must not carry " + key + ", a secret: put it in --kafkaPropertiesFile");
        }
        properties.put(key, pair.substring(eq + 1).trim());
      }
    }
    return KafkaConnection.to(options.getBootstrapServers()).withClientProperties(properties);
  }
}
