package dev.paystream.bench;

import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options of {@link Benchmark}. */
public interface BenchmarkOptions extends PipelineOptions {
  @Description("throughput (default: limit, Flink, Direct, then the latency mode) or soak (Flink embedded over a long stream)")
  @Default.String("throughput")
  String getMode();

  void setMode(String value);

  @Description("Payments preloaded for the limit (the Kafka exactly-once ceiling)")
  @Default.Integer(1_000_000)
  int getEvents();

  void setEvents(int value);

  @Description(
      "Payments for the Flink run, with the sink of --flinkOptionsFile (BATCHED); 0 = --events")
  @Default.Integer(0)
  int getFlinkEvents();

  void setFlinkEvents(int value);

  @Description(
      "Payments for the Flink run with Beam's exactly-once sink (KafkaIO.write().withEOS, the baseline): "
          + "one Kafka transaction per record on Flink, a few hundred records/s here, so a smaller size")
  @Default.Integer(10_000)
  int getFlinkKafkaIoEvents();

  void setFlinkKafkaIoEvents(int value);

  @Description("Payments for each DirectRunner run (it is a testing runner, far slower): direct and direct-unbatched")
  @Default.Integer(10_000)
  int getDirectEvents();

  void setDirectEvents(int value);

  @Description("Partitions of every benchmark topic")
  @Default.Integer(4)
  int getPartitions();

  void setPartitions(int value);

  @Description("Contenders to run, in order: limit, flink, flink-kafkaio, direct-unbatched, direct; flink-metrics: flink with "
          + "flink-embedded-metrics.options (repeat flink,flink-metrics to compare them in one run); "
          + "direct-unbatched: direct with --sourceBatchRecords=0 (the DirectRunner before issue 16); flink-copying, "
          + "flink-fastercopy: flink with --fasterCopy=false / true; flink-avropayments, flink-compactpayments: flink with "
          + "--paymentCoder=AVRO / COMPACT; flink-twocustomersteps, flink-fusedcustomersteps: flink with --fuseCustomerSteps="
          + "false / true (repeat a pair alternated to compare them in one run)")
  @Default.InstanceFactory(AllContenders.class)
  List<String> getContenders();

  void setContenders(List<String> value);

  @Description(
      "Flink checkpoint interval in ms (exactly-once output becomes visible per checkpoint); unset: the "
          + "--checkpointingInterval of --flinkOptionsFile")
  Long getCheckpointingMillis();

  void setCheckpointingMillis(Long value);

  @Description("Options file of the Flink contender: what users run Flink embedded with")
  @Default.String("runner-profiles/flink-embedded.options")
  String getFlinkOptionsFile();

  void setFlinkOptionsFile(String value);

  @Description("Options file of the Direct contender")
  @Default.String("runner-profiles/direct.options")
  String getDirectOptionsFile();

  void setDirectOptionsFile(String value);

  @Description("Latency mode: seconds of live traffic after the throughput runs (0: skip)")
  @Default.Integer(60)
  int getLatencySeconds();

  void setLatencySeconds(int value);

  @Description("Latency mode: events/s of live traffic (default: the rate of issue 16's target); 0 = half the Flink (else Direct) steady throughput measured")
  @Default.Double(1000)
  double getLatencyRate();

  void setLatencyRate(double value);

  @Description(
      "Latency mode: seconds after the first visible output before payments count (start-up: the "
          + "job drains what queued while it started; on Flink its first checkpoints take seconds)")
  @Default.Integer(20)
  int getLatencyWarmUpSeconds();

  void setLatencyWarmUpSeconds(int value);

  @Description("Latency mode: flink or direct; empty = flink if it is a contender, else direct")
  @Default.String("")
  String getLatencyRunner();

  void setLatencyRunner(String value);

  @Description("Record the Flink and Direct throughput runs with JFR and print where their CPU and wall time go")
  @Default.Boolean(false)
  boolean getProfile();

  void setProfile(boolean value);

  @Description("Soak mode: payments over the whole run")
  @Default.Integer(10_000_000)
  int getSoakEvents();

  void setSoakEvents(int value);

  @Description("Soak mode: days of event time the payments span (TTL timers must fire and clear state)")
  @Default.Integer(60)
  int getSoakDays();

  void setSoakDays(int value);

  @Description("Soak mode: customers (state is per customer: a fixed population means bounded state if timers clear it)")
  @Default.Integer(20_000)
  int getSoakCustomers();

  void setSoakCustomers(int value);

  @Description(
      "Soak mode: payments sent per second of wall time, below what Flink sustains, so state holds the "
          + "pipeline's working set rather than a backlog waiting in the sink")
  @Default.Double(1000)
  double getSoakRate();

  void setSoakRate(double value);

  @Description("Soak mode: seconds between samples of RSS, checkpoint size and committed output")
  @Default.Integer(30)
  int getSoakSampleSeconds();

  void setSoakSampleSeconds(int value);

  @Description("Soak mode: pipeline options added after the options file (e.g. a shorter --customerTtlDays)")
  @Default.InstanceFactory(SoakPipelineArgs.class)
  List<String> getSoakPipelineArgs();

  void setSoakPipelineArgs(List<String> value);

  @Description("Heap of each contender's JVM")
  @Default.String("4g")
  String getContenderHeap();

  void setContenderHeap(String value);

  @Description("Minutes a contender may take before the run is declared failed")
  @Default.Integer(20)
  int getTimeoutMinutes();

  void setTimeoutMinutes(int value);

  @Description("Directory for the JSON results")
  @Default.String("bench/results")
  String getResultsDir();

  void setResultsDir(String value);

  /** Default contenders. */
  class AllContenders implements org.apache.beam.sdk.options.DefaultValueFactory<List<String>> {
    @Override
    public List<String> create(PipelineOptions options) {
      return List.of("limit", "flink", "flink-kafkaio", "direct-unbatched", "direct");
    }
  }

  /** A week's inactivity drops a customer's state in the soak, so TTL timers fire within its span. */
  class SoakPipelineArgs implements org.apache.beam.sdk.options.DefaultValueFactory<List<String>> {
    @Override
    public List<String> create(PipelineOptions options) {
      return List.of("--customerTtlDays=7");
    }
  }
}
