package dev.paystream.pipelines.demo;

import dev.paystream.pipelines.FraudDetectionOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options of {@link Demo}, on top of the pipeline's own. */
public interface DemoOptions extends FraudDetectionOptions {
  @Description("Start the local stack (Kafka, PostgreSQL, Redis) on free ports; false: use --bootstrapServers")
  @Default.Boolean(true)
  boolean getStartLocalStack();

  void setStartLocalStack(boolean value);

  @Description("Payments to generate (backfill ending now)")
  @Default.Integer(10_000)
  int getEvents();

  void setEvents(int value);

  @Description("Distinct customers in the generated traffic")
  @Default.Integer(500)
  int getCustomers();

  void setCustomers(int value);

  @Description("Days of event time the backfill spans, ending now: customers build a history")
  @Default.Double(7)
  double getBackfillDays();

  void setBackfillDays(double value);

  @Description("Generator seed: the same seed gives the same payments")
  @Default.Long(42)
  long getSeed();

  void setSeed(long value);

  @Description("Minutes to wait for every payment to be accounted for before giving up")
  @Default.Long(10)
  long getTimeoutMinutes();

  void setTimeoutMinutes(long value);

  // Operating it and serving (README): keep everything up after the summary, to look at the stores,
  // the query service and /metrics.
  @Description(
      "After the summary, keep the local stack, the pipeline, its metrics endpoint and the query service "
          + "running until Ctrl-C, to look at PostgreSQL, Redis, the query service and /metrics")
  @Default.Boolean(false)
  boolean getKeepRunning();

  void setKeepRunning(boolean value);

  @Description("Port of the query service that --keepRunning=true starts (0: a free one)")
  @Default.Integer(8080)
  int getQueryServicePort();

  void setQueryServicePort(int value);
}
