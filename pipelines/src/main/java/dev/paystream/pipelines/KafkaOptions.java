package dev.paystream.pipelines;

import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** How to reach Kafka; shared by every pipeline and the generator. */
public interface KafkaOptions extends PipelineOptions {
  @Description("Kafka bootstrap servers, host:port[,host:port...]")
  @Default.String("127.0.0.1:9092")
  String getBootstrapServers();

  void setBootstrapServers(String value);

  @Description(
      "Extra Kafka client properties for every consumer and producer, key=value, comma-separated "
          + "(e.g. security.protocol=SASL_SSL,sasl.mechanism=SCRAM-SHA-512). Secrets (sasl.jaas.config, "
          + "ssl.*.password...) are refused here: options are printed; use --kafkaPropertiesFile.")
  List<String> getKafkaProperties();

  void setKafkaProperties(List<String> value);

  @Description(
      "A Java properties file of extra Kafka client properties (credentials belong here or in the "
          + "environment, not on the command line). Applied before --kafkaProperties.")
  String getKafkaPropertiesFile();

  void setKafkaPropertiesFile(String value);
}
