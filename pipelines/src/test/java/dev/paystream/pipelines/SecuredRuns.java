package dev.paystream.pipelines;

import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.io.localstack.StackSecurity;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** How the tests run a pipeline on the secured stack. */
public final class SecuredRuns {
  /** The fraud pipeline's Kafka user. */
  public static final String USER = LocalStackExtension.SECURED_KAFKA_USERS.get(0);

  private SecuredRuns() {}

  /**
   * {@code options} on topics of their own under {@code run} (created), connecting as {@code user}
   * through a properties file in {@code dir}, the only place its password is.
   */
  public static FraudDetectionOptions secured(
      FraudDetectionOptions options, LocalStack stack, String run, String user, Path dir) throws IOException {
    KnownInput.withTestTopics(options, stack, run);
    stack.createTopics(
        Map.of(options.getPaymentsTopic(), 4, options.getDecisionsTopic(), 4, options.getDeadLetterTopic(), 1));
    options.setKafkaPropertiesFile(
        stack.security().writeKafkaClientProperties(user, dir.resolve(run + "-kafka.properties")).toString());
    return options;
  }

  /** The super user, for the test's own producing and reading. */
  public static KafkaConnection admin(LocalStack stack) {
    return KafkaConnection.to(stack.kafkaBootstrapServers())
        .withClientProperties(stack.security().kafkaClientProperties(StackSecurity.KAFKA_ADMIN));
  }
}
