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

/** Builds a {@link KafkaConnection} from {@link KafkaOptions}. */
public final class KafkaConnections {
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
        if (KafkaConnection.SECRET_KEYS.contains(key)) {
          // The option's value, and so the secret, would be shown wherever the options are (Beam
          // logs them, Flink's web UI shows them under /jobs/<id>/config).
          throw new IllegalArgumentException(
              "--kafkaProperties must not carry " + key + ", a secret: put it in --kafkaPropertiesFile");
        }
        properties.put(key, pair.substring(eq + 1).trim());
      }
    }
    return KafkaConnection.to(options.getBootstrapServers()).withClientProperties(properties);
  }
}
