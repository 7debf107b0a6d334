package dev.paystream.pipelines;

import dev.paystream.io.kafka.ConsumerLag;
import dev.paystream.io.kafka.ConsumerLag.PartitionLag;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What to run in an incident: how far the pipelines' consumer groups are behind, per partition, in
 * records and in seconds of payment event time (the newest payment's time less that of the next one
 * the group will read).
 *
 * <pre>
 * mvn -B -q -pl pipelines exec:java -Dexec.mainClass=dev.paystream.pipelines.LagCommand \
 *   -Dexec.args="--bootstrap-servers=127.0.0.1:9092"
 * </pre>
 */
@Command(
    name = "lag",
    mixinStandardHelpOptions = true,
    description = "Per-partition lag of the pipelines' consumer groups, in records and in seconds of event time.")
public final class LagCommand implements Callable<Integer> {
  @Spec private CommandLine.Model.CommandSpec spec;

  @Option(names = "--bootstrap-servers", defaultValue = "127.0.0.1:9092", description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE})")
  private String bootstrapServers;

  @Option(
      names = "--kafka-properties-file",
      description = "Client properties file (security settings), as the pipelines' --kafkaPropertiesFile")
  private String kafkaPropertiesFile;

  @Option(names = "--topic", defaultValue = "payments", description = "Topic the groups read (default: ${DEFAULT-VALUE})")
  private String topic;

  @Option(
      names = "--group",
      split = ",",
      defaultValue = "paystream-fraud-detection,paystream-analytics",
      description = "Consumer groups (default: the pipelines' own, ${DEFAULT-VALUE})")
  private List<String> groups = new ArrayList<>();

  public static void main(String[] args) {
    System.exit(new CommandLine(new LagCommand()).execute(args));
  }

  @Override
  public Integer call() {
    PaymentIngestOptions options = PipelineOptionsFactory.create().as(PaymentIngestOptions.class);
    options.setBootstrapServers(bootstrapServers);
    if (kafkaPropertiesFile != null) {
      options.setKafkaPropertiesFile(kafkaPropertiesFile);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf("%-28s %-16s %9s %12s %12s %12s %14s%n", "GROUP", "TOPIC", "PARTITION", "COMMITTED", "END", "LAG_RECORDS", "LAG_SECONDS");
    try (ConsumerLag lag = ConsumerLag.on(KafkaConnections.from(options), PaymentEventTimes.from(options))) {
      for (String group : groups) {
        for (PartitionLag partition : lag.of(group, topic)) {
          out.printf(
              "%-28s %-16s %9d %12d %12d %12d %14s%n",
              group,
              topic,
              partition.partition(),
              partition.committed(),
              partition.end(),
              partition.records(),
              partition.seconds().map(s -> String.format("%.1f", s)).orElse("unknown"));
        }
      }
    }
    out.flush();
    return 0;
  }
}
