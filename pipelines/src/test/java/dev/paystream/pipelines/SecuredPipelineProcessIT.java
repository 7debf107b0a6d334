package dev.paystream.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.io.kafka.CommittedTopicReader;
import dev.paystream.io.kafka.WriteExactlyOnce;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.io.localstack.LocalStackExtension.Secured;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fraud pipeline as a process on the secured broker, as a user runs it: a principal lacking
 * the transactional-id ACL makes it exit with 1 at once, saying which id; a run with every ACL
 * logs (Kafka clients at INFO, config dumps included) no password.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(300)
class SecuredPipelineProcessIT {
  /** Kafka's client loggers at INFO: their config dumps are where a secret would most likely show. */
  private static final List<String> VERBOSE =
      List.of("-Dorg.slf4j.simpleLogger.log.org.apache.kafka=info", "-Dorg.slf4j.simpleLogger.log.kafka=info");

  @Test
  void withoutTheTransactionalIdAclTheProcessExitsAtOnceNamingIt(@Secured LocalStack stack, @TempDir Path dir)
      throws Exception {
    String user = LocalStackExtension.SECURED_KAFKA_USERS.get(1);
    String run = "noTxnAcl" + System.nanoTime();
    FraudDetectionOptions options = SecuredRuns.secured(FraudDetectionPipelineIT.options(stack, run), stack, run, user, dir);
    stack.grantKafka(
        KafkaAcls.fraudDetection(options, "User:" + user).stream()
            .filter(acl -> acl.pattern().resourceType() != ResourceType.TRANSACTIONAL_ID)
            .toList());
    Path log = dir.resolve(run + ".log");

    long start = System.nanoTime();
    Process job = PipelineProcess.start(FraudDetectionPipeline.class, VERBOSE, arguments(options), log);
    boolean exited = job.waitFor(3, TimeUnit.MINUTES);
    long millis = (System.nanoTime() - start) / 1_000_000;
    if (!exited) {
      job.destroyForcibly().waitFor();
    }
    String output = Files.readString(log);
    assertTrue(exited, "still running after " + millis + " ms:\n" + tail(output));
    assertEquals(PipelineMain.FAILED, job.exitValue(), tail(output));
    String prefix = WriteExactlyOnce.transactionalIdPrefix(options.getConsumerGroup() + "-sink-");
    assertTrue(
        output.contains("needs WRITE on TransactionalId '" + prefix), "the error names the id:\n" + tail(output));
    System.out.printf("Without the transactional-id ACL the process exited %d after %d ms (JVM start included)%n",
        job.exitValue(), millis);
    Secrets.assertNoneIn(stack.security(), output, "the log of the refused process");
  }

  @Test
  void aSecuredRunLogsNoPassword(@Secured LocalStack stack, @TempDir Path dir) throws Exception {
    String user = SecuredRuns.USER;
    String run = "logs" + System.nanoTime();
    FraudDetectionOptions options = SecuredRuns.secured(FraudDetectionPipelineIT.options(stack, run), stack, run, user, dir);
    stack.grantKafka(KafkaAcls.fraudDetection(options, "User:" + user));
    KnownInput input = KnownInput.generate(100);
    input.produce(SecuredRuns.admin(stack), options.getPaymentsTopic(), 0, 100);
    Path log = dir.resolve(run + ".log");

    Process job = PipelineProcess.start(FraudDetectionPipeline.class, VERBOSE, arguments(options), log);
    try (CommittedTopicReader decisions = new CommittedTopicReader(SecuredRuns.admin(stack), options.getDecisionsTopic())) {
      decisions.readUntil(read -> read.size() >= input.validIds.size() || !job.isAlive(), Duration.ofMinutes(3));
    } finally {
      job.destroy(); // SIGTERM: the pipeline cancels and closes its clients, as in production
      job.waitFor(30, TimeUnit.SECONDS);
      job.destroyForcibly().waitFor();
    }
    String output = Files.readString(log);
    // The search means something: the clients did log their configuration, secrets masked.
    assertTrue(output.contains("sasl.jaas.config = [hidden]"), "Kafka's config dumps are in the log:\n" + tail(output));
    assertTrue(output.contains("Shard 0 of " + options.getDecisionsTopic()), "the sink ran:\n" + tail(output));
    Secrets.assertNoneIn(stack.security(), output, "the pipeline's log");
  }

  private static List<String> arguments(FraudDetectionOptions options) {
    return List.of(
        "--runner=DirectRunner",
        "--enforceImmutability=false",
        "--bootstrapServers=" + options.getBootstrapServers(),
        "--kafkaPropertiesFile=" + options.getKafkaPropertiesFile(),
        "--paymentsTopic=" + options.getPaymentsTopic(),
        "--decisionsTopic=" + options.getDecisionsTopic(),
        "--deadLetterTopic=" + options.getDeadLetterTopic(),
        "--consumerGroup=" + options.getConsumerGroup());
  }

  private static String tail(String output) {
    return output.length() <= 4_000 ? output : output.substring(output.length() - 4_000);
  }
}
