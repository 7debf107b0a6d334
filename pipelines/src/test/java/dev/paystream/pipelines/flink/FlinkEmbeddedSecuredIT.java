package dev.paystream.pipelines.flink;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.io.localstack.LocalStackExtension.Secured;
import dev.paystream.pipelines.FraudDetectionOptions;
import dev.paystream.pipelines.FraudRun;
import dev.paystream.pipelines.KafkaAcls;
import dev.paystream.pipelines.KnownInput;
import dev.paystream.pipelines.Secrets;
import dev.paystream.pipelines.SecuredRuns;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fraud pipeline on embedded Flink against the secured broker, as its own principal with only
 * {@link KafkaAcls#fraudDetection} and credentials from {@code --kafkaPropertiesFile}: every record
 * exactly once, and no password anywhere the Flink REST API (the web UI) shows about the job.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class FlinkEmbeddedSecuredIT {
  private static final int RECORDS = 300;

  @Test
  void decidesExactlyOnceAndTheWebUiShowsNoPassword(@Secured LocalStack stack, @TempDir Path dir) throws Exception {
    String run = "flinksecured" + System.nanoTime();
    int restPort = SessionCluster.freePort();
    FraudDetectionOptions options = FlinkEmbeddedPipelineIT.options(stack, run, dir, restPort);
    String user = SecuredRuns.USER;
    SecuredRuns.secured(options, stack, run, user, dir);
    stack.grantKafka(KafkaAcls.fraudDetection(options, "User:" + user));
    KnownInput input = KnownInput.generate(RECORDS);
    input.produce(SecuredRuns.admin(stack), options.getPaymentsTopic(), 0, RECORDS);

    FlinkRest rest = new FlinkRest(restPort);
    StringBuilder shown = new StringBuilder();
    FraudRun.Output output =
        FraudRun.runUntil(
            options, input.validIds.size(), input.malformedReasons.size(), Duration.ofMinutes(4), Duration.ofSeconds(3),
            result -> shown.append(rest.shownAbout(rest.activeJobs().get(0))));

    input.assertExactlyOnce(output.decisions(), output.deadLetters(), options.getPaymentsTopic());
    // The search means something: the options are there, with the file's path.
    assertTrue(shown.toString().contains(options.getKafkaPropertiesFile()), "the job's config shows its options");
    Secrets.assertNoneIn(stack.security(), shown.toString(), "Flink's REST API");
  }
}
