package dev.paystream.bench;

import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options of {@link Benchmark}. */
public interface BenchmarkOptions extends PipelineOptions {
  @Description("Payments preloaded for the limit and the Flink run")
  @Default.Integer(1_000_000)
  int getEvents();

  void setEvents(int value);

  @Description("Payments for the DirectRunner run (it is a testing runner, far slower)")
  @Default.Integer(10_000)
  int getDirectEvents();

  void setDirectEvents(int value);

  @Description("Partitions of every benchmark topic")
  @Default.Integer(4)
  int getPartitions();

  void setPartitions(int value);

  @Description("Contenders to run, in order: limit, flink, direct")
  @Default.InstanceFactory(AllContenders.class)
  List<String> getContenders();

  void setContenders(List<String> value);

  @Description("Flink checkpoint interval in ms: exactly-once output becomes visible per checkpoint")
  @Default.Long(1_000)
  long getCheckpointingMillis();

  void setCheckpointingMillis(long value);

  @Description("Latency mode: seconds of live traffic after the throughput runs (0: skip)")
  @Default.Integer(60)
  int getLatencySeconds();

  void setLatencySeconds(int value);

  @Description("Latency mode: events/s of live traffic; 0 = half the Flink (else Direct) throughput measured")
  @Default.Double(0)
  double getLatencyRate();

  void setLatencyRate(double value);

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
      return List.of("limit", "flink", "direct");
    }
  }
}
