package dev.paystream.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * What a JFR recording of the Flink contender shows: where CPU goes ({@code jdk.ExecutionSample}:
 * hot methods, and per component with JDK frames charged to their caller) and where the busy
 * threads wait ({@code jdk.ThreadPark}, {@code jdk.JavaMonitorWait}, {@code jdk.JavaMonitorEnter},
 * {@code jdk.SocketRead}), Kafka transactions apart.
 */
final class JfrSummary {
  /** A CPU sample: the thread and its stack, top frame first, as {@code package.Class.method}. */
  record Sample(String thread, List<String> frames) {}

  /** A blocked interval: the thread, its stack (top first) and how long. */
  record Wait(String event, String thread, List<String> frames, Duration duration) {}

  /** A name and its share. */
  record Share(String name, long count, double percent) {}

  /** Time blocked at one place. */
  record WaitShare(String thread, String where, double seconds, long events) {
    double meanMillis() {
      return events == 0 ? 0 : 1000 * seconds / events;
    }
  }

  /**
   * Components, in order of precedence, by the package of a sample's first non-JDK frame. The
   * first matching prefix names the component.
   */
  static final Map<String, String> COMPONENTS = new LinkedHashMap<>();

  static {
    COMPONENTS.put("org.apache.beam.sdk.io.kafka.KafkaExactlyOnceSink", "Beam EOS Kafka sink");
    COMPONENTS.put("org.apache.beam.sdk.io.kafka", "Beam KafkaIO (source)");
    COMPONENTS.put("org.apache.kafka.clients.producer", "Kafka producer (transactions, send)");
    COMPONENTS.put("org.apache.kafka.clients.consumer", "Kafka consumer (fetch, decode)");
    COMPONENTS.put("org.apache.kafka", "Kafka client network/protocol");
    COMPONENTS.put("org.apache.avro", "Avro encode/decode");
    // The cost of metrics (issue 10): the Prometheus client (paystream_* counters and histograms,
    // both endpoints' scrapes: Flink's reporter bundles the 0.x client, io.prometheus.client) and
    // our endpoint and lag gauges; their Kafka calls count under Kafka, their thread under threads.
    COMPONENTS.put("io.prometheus", "Prometheus client (recording, scrapes)");
    COMPONENTS.put("dev.paystream.io.metrics", "paystream metrics endpoint, lag gauges");
    COMPONENTS.put("dev.paystream.io.kafka.ConsumerLag", "paystream metrics endpoint, lag gauges");
    COMPONENTS.put("dev.paystream", "paystream transforms");
    COMPONENTS.put("org.apache.beam.sdk.coders", "Beam coders (serialization, copies)");
    COMPONENTS.put("org.apache.beam.sdk.util", "Beam coders (serialization, copies)");
    COMPONENTS.put("org.apache.beam.runners.flink.translation.wrappers.streaming.state", "Beam state on Flink");
    COMPONENTS.put("org.apache.flink.runtime.state", "Flink state backend / snapshots");
    COMPONENTS.put("org.apache.flink.runtime.checkpoint", "Flink checkpointing");
    COMPONENTS.put("org.apache.flink.runtime.io", "Flink network stack / records");
    COMPONENTS.put("org.apache.flink.streaming.runtime.io", "Flink network stack / records");
    COMPONENTS.put("org.apache.flink.core.memory", "Flink network stack / records");
    COMPONENTS.put("org.apache.flink.api.common.typeutils", "Flink serializers");
    COMPONENTS.put("org.apache.flink.runtime.metrics", "Flink metrics");
    COMPONENTS.put("org.apache.flink.metrics", "Flink metrics");
    COMPONENTS.put("org.apache.beam.runners.core.construction", "Beam runner core");
    COMPONENTS.put("org.apache.beam.runners.core", "Beam runner core (DoFn invocation, timers)");
    COMPONENTS.put("org.apache.beam.runners.flink", "Beam Flink runner wrappers");
    COMPONENTS.put("org.apache.beam", "Beam SDK");
    COMPONENTS.put("org.apache.flink", "Flink runtime (other)");
    COMPONENTS.put("org.slf4j", "logging");
    COMPONENTS.put("org.apache.logging", "logging");
    COMPONENTS.put("org.joda", "Joda time");
  }

  private static final Set<String> JDK_PREFIXES = Set.of("java.", "javax.", "jdk.", "sun.", "com.sun.");
  /** A Flink subtask's suffix: " (1/2)#0", or folded " (#/#)##". */
  private static final Pattern SUBTASK = Pattern.compile(" \\([^()/]+/[^()/]+\\)\\S*$");

  private static final Pattern DIGITS = Pattern.compile("\\d+");
  /** Where an idle Flink task or pool thread waits for work. */
  private static final Pattern IDLE = Pattern.compile("TaskMailboxImpl\\.take|ForkJoinPool|ThreadPoolExecutor\\.getTask|LinkedBlockingQueue\\.take|Unsafe\\.park$");

  /**
   * Metrics code (issue 10): the Prometheus clients (ours, and the 0.x one Flink's reporter bundles),
   * our endpoint and lag gauges, Flink's reporter. A sample is theirs when its first non-JDK frame
   * is, or when it runs on a thread of theirs (the lag gauges' Kafka calls, the HTTP servers). Not
   * "anywhere in the stack": Flink chains operators, so a step's frame is under all the work of the
   * steps after it.
   */
  private static final Pattern METRICS_FRAME =
      Pattern.compile("^(io\\.prometheus|dev\\.paystream\\.io\\.metrics|dev\\.paystream\\.io\\.kafka\\.ConsumerLag"
          + "|org\\.apache\\.flink\\.metrics\\.prometheus)");
  private static final Pattern METRICS_THREAD = Pattern.compile("^(paystream-lag-gauges|prometheus-http)");

  private static final Pattern KAFKA_TRANSACTION =
      Pattern.compile("commitTransaction|beginTransaction|sendOffsetsToTransaction|initTransactions|TransactionalRequestResult|KafkaExactlyOnceSink");

  final long samples;
  final List<Share> hotMethods;
  final List<Share> hotPackages;
  final List<Share> components;
  final List<Share> threads;
  final List<WaitShare> waits;
  final double kafkaTransactionWaitSeconds;
  final List<WaitShare> transactionWaits;
  /** Share of the CPU samples in metrics code or on its threads ({@link #METRICS_FRAME}). */
  final double metricsShare;

  private JfrSummary(
      long samples, List<Share> hotMethods, List<Share> hotPackages, List<Share> components, List<Share> threads,
      List<WaitShare> waits, double kafkaTransactionWaitSeconds, List<WaitShare> transactionWaits, double metricsShare) {
    this.samples = samples;
    this.hotMethods = hotMethods;
    this.hotPackages = hotPackages;
    this.components = components;
    this.threads = threads;
    this.waits = waits;
    this.kafkaTransactionWaitSeconds = kafkaTransactionWaitSeconds;
    this.transactionWaits = transactionWaits;
    this.metricsShare = metricsShare;
  }

  /** Re-summarises a recording: {@code JfrSummary <file.jfr> [from, ISO-8601 instant]}. */
  public static void main(String[] args) throws IOException {
    JfrSummary summary = args.length > 1 ? of(Path.of(args[0]), Instant.parse(args[1])) : of(Path.of(args[0]));
    System.out.print(summary.format());
  }

  /** Reads a whole recording. */
  static JfrSummary of(Path recording) throws IOException {
    return of(recording, Instant.MIN);
  }

  /**
   * Reads the events of a recording that start at or after {@code from} (e.g. the first committed
   * output, to leave JVM and job start-up out).
   */
  static JfrSummary of(Path recording, Instant from) throws IOException {
    List<Sample> samples = new ArrayList<>();
    List<Wait> waits = new ArrayList<>();
    try (RecordingFile file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        RecordedEvent event = file.readEvent();
        if (event.getStartTime().isBefore(from)) {
          continue;
        }
        String type = event.getEventType().getName();
        switch (type) {
          case "jdk.ExecutionSample" -> samples.add(new Sample(threadName(event, "sampledThread"), frames(event.getStackTrace())));
          case "jdk.ThreadPark", "jdk.JavaMonitorWait", "jdk.JavaMonitorEnter", "jdk.SocketRead" ->
              waits.add(new Wait(type, threadName(event, "eventThread"), frames(event.getStackTrace()), event.getDuration()));
          default -> {}
        }
      }
    }
    return summarise(samples, waits, 10);
  }

  /** The pure part: aggregates samples and waits, keeping the top {@code top} of each list. */
  static JfrSummary summarise(List<Sample> samples, List<Wait> waits, int top) {
    Map<String, Long> methods = new HashMap<>();
    Map<String, Long> packages = new HashMap<>();
    Map<String, Long> components = new HashMap<>();
    Map<String, Long> threads = new HashMap<>();
    long metrics = 0;
    for (Sample sample : samples) {
      if (sample.frames().isEmpty()) {
        continue;
      }
      String firstNonJdk = sample.frames().stream().filter(frame -> !isJdk(frame)).findFirst().orElse("");
      if (METRICS_THREAD.matcher(sample.thread()).find() || METRICS_FRAME.matcher(firstNonJdk).find()) {
        metrics++;
      }
      String topFrame = sample.frames().get(0);
      methods.merge(topFrame, 1L, Long::sum);
      packages.merge(packageOf(topFrame), 1L, Long::sum);
      components.merge(component(sample.frames()), 1L, Long::sum);
      threads.merge(threadGroup(sample.thread()), 1L, Long::sum);
    }
    long total = samples.stream().filter(s -> !s.frames().isEmpty()).count();
    // Waits of the threads that do work (>= 2% of the CPU samples): idle pools park all the time.
    Set<String> busy = new java.util.HashSet<>();
    threads.forEach((thread, count) -> {
      if (count >= 0.02 * total) {
        busy.add(thread);
      }
    });
    Map<List<String>, double[]> waited = new HashMap<>();
    Map<List<String>, double[]> byProducerCall = new HashMap<>();
    double transactionWait = 0;
    for (Wait wait : waits) {
      String thread = threadGroup(wait.thread());
      double seconds = wait.duration().toNanos() / 1e9;
      boolean transaction = wait.frames().stream().anyMatch(f -> KAFKA_TRANSACTION.matcher(f).find());
      if (transaction) {
        transactionWait += seconds;
        double[] sum = byProducerCall.computeIfAbsent(List.of(thread, producerCall(wait.frames())), k -> new double[2]);
        sum[0] += seconds;
        sum[1]++;
      }
      String place = firstNonJdk(wait.frames());
      // Idle threads waiting for work are not a cost; nor are threads that hardly run.
      if (!transaction && (!busy.contains(thread) || IDLE.matcher(place).find())) {
        continue;
      }
      String where = wait.event().replace("jdk.", "") + " in " + (transaction ? "Kafka transaction: " : "") + place;
      double[] sum = waited.computeIfAbsent(List.of(thread, where), k -> new double[2]);
      sum[0] += seconds;
      sum[1]++;
    }
    List<WaitShare> waitShares = shares(waited);
    List<WaitShare> transactionShares = shares(byProducerCall);
    return new JfrSummary(
        total, top(methods, total, top), top(packages, total, top), top(components, total, top), top(threads, total, top),
        waitShares.subList(0, Math.min(top, waitShares.size())), transactionWait,
        transactionShares.subList(0, Math.min(top, transactionShares.size())), total == 0 ? 0 : (double) metrics / total);
  }

  private static List<WaitShare> shares(Map<List<String>, double[]> sums) {
    List<WaitShare> shares = new ArrayList<>();
    sums.forEach((key, sum) -> shares.add(new WaitShare(key.get(0), key.get(1), sum[0], (long) sum[1])));
    shares.sort(Comparator.comparingDouble(WaitShare::seconds).reversed().thenComparing(WaitShare::where));
    return shares;
  }

  /** The outermost KafkaProducer call a blocked stack is in, e.g. {@code KafkaProducer.commitTransaction}. */
  static String producerCall(List<String> frames) {
    String call = null;
    for (String frame : frames) {
      if (frame.startsWith("org.apache.kafka.clients.producer.KafkaProducer.")) {
        call = frame.substring("org.apache.kafka.clients.producer.".length());
      }
    }
    return call != null ? call : firstNonJdk(frames);
  }

  /** The component a sample's CPU time is charged to: that of its first frame outside the JDK. */
  static String component(List<String> frames) {
    for (String frame : frames) {
      if (isJdk(frame)) {
        continue;
      }
      for (Map.Entry<String, String> entry : COMPONENTS.entrySet()) {
        if (frame.startsWith(entry.getKey())) {
          return entry.getValue();
        }
      }
      return "other: " + packageOf(frame);
    }
    return frames.isEmpty() ? "unknown" : "JDK only (" + packageOf(frames.get(0)) + ")";
  }

  /** The package of a {@code package.Class.method} frame. */
  static String packageOf(String frame) {
    int method = frame.lastIndexOf('.');
    int type = method < 0 ? -1 : frame.lastIndexOf('.', method - 1);
    return type < 0 ? frame : frame.substring(0, type);
  }

  /** Thread names with their numbers folded, so a pool's threads add up: "Sink (1/2)#0" -> "Sink (#/#)##". */
  static String threadGroup(String thread) {
    Matcher m = DIGITS.matcher(thread == null ? "?" : thread);
    return m.replaceAll("#");
  }

  private static String firstNonJdk(List<String> frames) {
    return frames.stream().filter(f -> !isJdk(f)).findFirst().orElse(frames.isEmpty() ? "?" : frames.get(0));
  }

  private static boolean isJdk(String frame) {
    return JDK_PREFIXES.stream().anyMatch(frame::startsWith);
  }

  private static List<Share> top(Map<String, Long> counts, long total, int top) {
    return counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .limit(top)
        .map(e -> new Share(e.getKey(), e.getValue(), total == 0 ? 0 : 100.0 * e.getValue() / total))
        .toList();
  }

  private static String threadName(RecordedEvent event, String field) {
    RecordedThread thread = event.getThread(field);
    return thread == null ? "?" : thread.getJavaName() != null ? thread.getJavaName() : thread.getOSName();
  }

  private static List<String> frames(RecordedStackTrace stack) {
    if (stack == null) {
      return List.of();
    }
    List<String> frames = new ArrayList<>();
    for (RecordedFrame frame : stack.getFrames()) {
      if (frame.isJavaFrame()) {
        frames.add(frame.getMethod().getType().getName() + "." + frame.getMethod().getName());
      }
    }
    return frames;
  }

  /** The top three CPU costs, by component. */
  List<Share> topCosts() {
    return components.subList(0, Math.min(3, components.size()));
  }

  /** For the JSON report. */
  Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("execution_samples", samples);
    map.put("top_costs_by_component", topCosts());
    map.put("components", components);
    map.put("hot_methods", hotMethods);
    map.put("hot_packages", hotPackages);
    map.put("threads", threads);
    map.put("waits", waits);
    map.put("kafka_transaction_wait_seconds", kafkaTransactionWaitSeconds);
    map.put("kafka_transaction_waits_by_call", transactionWaits);
    map.put("metrics_share", metricsShare);
    return map;
  }

  /** A printable summary. */
  String format() {
    StringBuilder out = new StringBuilder();
    out.append(String.format("JFR: %,d CPU samples (jdk.ExecutionSample)%n", samples));
    section(out, "CPU by component (JDK frames charged to their caller)", components);
    section(out, "Top 10 hot methods (self)", hotMethods);
    section(out, "Top packages (self)", hotPackages);
    section(out, "CPU by thread", threads);
    out.append("Where the busy threads block, idle waits for input left out (and every wait inside a Kafka transaction):\n");
    for (WaitShare wait : waits) {
      out.append(String.format("  %9.1f s %8d x  %-40s %s%n", wait.seconds(), wait.events(), abbreviate(shortThread(wait.thread()), 40), wait.where()));
    }
    out.append(String.format("Blocked inside Kafka transactions (all threads): %.1f s, by producer call:%n", kafkaTransactionWaitSeconds));
    for (WaitShare wait : transactionWaits) {
      out.append(String.format("  %9.1f s %8d x  mean %6.1f ms  %-40s %s%n", wait.seconds(), wait.events(), wait.meanMillis(),
          abbreviate(shortThread(wait.thread()), 40), wait.where()));
    }
    out.append(String.format("Metrics code (Prometheus clients, endpoints, lag gauges, Flink's reporter) and threads: %.2f%% of the samples%n",
        100 * metricsShare));
    List<Share> costs = topCosts();
    out.append("Top three CPU costs: ");
    for (int i = 0; i < costs.size(); i++) {
      out.append(String.format("%s%d. %s %.1f%%", i == 0 ? "" : "; ", i + 1, costs.get(i).name(), costs.get(i).percent()));
    }
    out.append('\n');
    return out.toString();
  }

  private static void section(StringBuilder out, String title, List<Share> shares) {
    out.append(title).append(":\n");
    for (Share share : shares) {
      out.append(String.format("  %5.1f%% %8d  %s%n", share.percent(), share.count(), shortThread(share.name())));
    }
  }

  /**
   * A Flink task thread's name lists its whole operator chain; for display, the first operator's
   * first name and the last operator's last: "WriteDecisions … ParMultiDo(ExactlyOnceWriter) (#/#)##".
   */
  static String shortThread(String name) {
    if (name.length() <= 70) {
      return name;
    }
    Matcher subtask = SUBTASK.matcher(name);
    String suffix = subtask.find() ? subtask.group() : "";
    String chain = name.substring(0, name.length() - suffix.length());
    String first = chain.split(" -> ", 2)[0].split("/", 2)[0];
    String lastOperator = chain.substring(chain.lastIndexOf(" -> ") < 0 ? 0 : chain.lastIndexOf(" -> ") + 4);
    String last = lastOperator.substring(lastOperator.lastIndexOf('/') + 1);
    return first + " … " + last + suffix;
  }

  private static String abbreviate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max - 1) + "…";
  }

  /**
   * A copy of the JDK's {@code profile.jfc} with the blocking thresholds lowered to 1 ms, so the
   * few-millisecond waits of a transaction commit are recorded (the default drops those under 10 ms).
   */
  static Path settingsFile(Path dir) throws IOException {
    Path profile = Path.of(System.getProperty("java.home"), "lib", "jfr", "profile.jfc");
    String text = Files.readString(profile);
    text = text.replaceAll("(control=\"(locking|socket)-threshold\">)\\s*\\d+ ms", "$11 ms");
    Path settings = dir.resolve("bench-profile.jfc");
    Files.writeString(settings, text);
    return settings;
  }
}
