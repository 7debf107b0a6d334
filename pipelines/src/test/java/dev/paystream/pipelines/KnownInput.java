package dev.paystream.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.io.kafka.CommittedTopicReader;
import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.pipelines.generator.GeneratePayments;
import dev.paystream.pipelines.generator.GeneratedRecord;
import dev.paystream.pipelines.generator.GeneratedRecord.Kind;
import dev.paystream.pipelines.generator.GeneratorStats;
import dev.paystream.pipelines.generator.PaymentGenerator;
import dev.paystream.pipelines.generator.SchemaVersion;
import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.FraudDecision;
import dev.paystream.schemas.PaymentEvent;
import java.io.IOException;
import dev.paystream.transforms.validate.PaymentFormat;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Generated payments whose fate is known in advance (valid, duplicate, malformed with a reason),
 * and the exact assertions of {@code FraudDetectionPipelineIT} on what a run committed: every
 * valid distinct payment has exactly one decision, every malformed record one dead letter with its
 * reason, and records in = decisions + dead letters + duplicates.
 */
public final class KnownInput {
  public final List<GeneratedRecord> records;
  public final Set<String> validIds;
  /**
   * Each malformed payload's expected reason; a payload sent more than once (a short truncated
   * prefix such as {@code {"} recurs among 10^5 records) maps to its reasons joined by commas, as
   * the dead letters of one payload are merged. Its size counts distinct payloads: see {@link
   * #expected} for records.
   */
  public final Map<ByteBuffer, String> malformedReasons = new HashMap<>();
  public final GeneratorStats expected = new GeneratorStats();

  private KnownInput(List<GeneratedRecord> records) {
    this.records = List.copyOf(records);
    records.forEach(expected::add);
    this.validIds =
        records.stream().filter(r -> r.kind() == Kind.VALID).map(GeneratedRecord::transactionId).collect(Collectors.toSet());
    records.stream()
        .filter(r -> r.kind() == Kind.MALFORMED)
        .forEach(r -> malformedReasons.merge(ByteBuffer.wrap(r.value()), r.expectedReason().name(), (a, b) -> a + "," + b));
    assertTrue(!malformedReasons.isEmpty(), "the input must exercise every path");
  }

  /** The same mix as the DirectRunner IT: 150 customers, 5% duplicates, 4% malformed, 2% fraud, Avro. */
  public static KnownInput generate(int count) {
    return generate(count, System.currentTimeMillis());
  }

  /**
   * Records as the seed's Python producer wrote them: JSON with an ISO {@code timestamp}, keyed by
   * customer, payment times spread over the {@code days} before {@code endMillis} and sent in random
   * order (each re-send right after its original, as a producer retry sends it). Produce them with
   * {@link #produceWithSendTime} to get its record timestamps too.
   */
  public static KnownInput seedFormat(int count, long endMillis, double days, double duplicateFraction) {
    return week(count, endMillis, days, duplicateFraction, true);
  }

  /**
   * Like {@link #seedFormat}, in the order of payment time when not {@code shuffled} (how a
   * producer sends a live stream, or a replay of one).
   */
  public static KnownInput week(int count, long endMillis, double days, double duplicateFraction, boolean shuffled) {
    List<GeneratedRecord> generated = new ArrayList<>(count);
    PaymentGenerator.builder()
        .seed(42)
        .customers(150)
        .format(PaymentFormat.JSON)
        .eventsPerSecond(count / (days * 86_400.0))
        .duplicateFraction(duplicateFraction)
        .malformedFraction(0.04)
        .fraudFraction(0.02)
        .backfill(count, endMillis)
        .build()
        .forEachRemaining(generated::add);
    List<GeneratedRecord> originals = new ArrayList<>();
    Map<String, List<GeneratedRecord>> resends = new HashMap<>();
    for (GeneratedRecord record : generated) {
      if (record.kind() == Kind.DUPLICATE) {
        resends.computeIfAbsent(record.transactionId(), id -> new ArrayList<>()).add(record);
      } else {
        originals.add(record);
      }
    }
    if (shuffled) {
      java.util.Collections.shuffle(originals, new java.util.Random(7));
    }
    List<GeneratedRecord> sendOrder = new ArrayList<>(count);
    for (GeneratedRecord record : originals) {
      sendOrder.add(record);
      if (record.kind() == Kind.VALID) {
        sendOrder.addAll(resends.getOrDefault(record.transactionId(), List.of()));
      }
    }
    assertEquals(count, sendOrder.size());
    return new KnownInput(sendOrder);
  }

  /** {@link #generate(int)}, the history ending at {@code endMillis}. */
  public static KnownInput generate(int count, long endMillis) {
    return generate(count, endMillis, SchemaVersion.V2);
  }

  /**
   * The latest 17:00 UTC at or before now: the end for a short generated input (minutes of
   * payments) whose test must not depend on the hour it runs. The generator's customers pay at
   * their own hours, so who and which fraud patterns a few minutes hold depends on the hour they
   * end: at 21:00 only 41 of 150 customers paid in both halves of {@code ReleaseUpgradeIT}'s input
   * (133 at 17:00), and from 09:00 to 15:00 no account takeover fell on a device-carrying customer
   * in {@code V2FeaturesEndToEndTest}'s (one at 17:00). Both failed in CI at such hours.
   */
  public static long latestBusyHour() {
    long day = Duration.ofDays(1).toMillis();
    long now = System.currentTimeMillis();
    long today = now - Math.floorMod(now, day) + Duration.ofHours(17).toMillis();
    return today <= now ? today : today - day;
  }

  /** Like {@link #generate(int, long)}, from producers on PaymentEvent schema {@code version}. */
  public static KnownInput generate(int count, long endMillis, SchemaVersion version) {
    List<GeneratedRecord> input = new ArrayList<>(count);
    PaymentGenerator.builder()
        .seed(42)
        .customers(150)
        .format(PaymentFormat.AVRO)
        .schemaVersion(version)
        .duplicateFraction(0.05)
        .malformedFraction(0.04)
        .fraudFraction(0.02)
        .backfill(count, endMillis)
        .build()
        .forEachRemaining(input::add);
    assertEquals(count, input.size());
    KnownInput known = new KnownInput(input);
    assertTrue(known.duplicates() > 0, "the input must exercise every path");
    return known;
  }

  /** {@code records} as they will be sent, in this order. */
  public static KnownInput of(List<GeneratedRecord> records) {
    return new KnownInput(records);
  }

  /** The valid, distinct payments: what the pipelines' transforms get after validation and dedup. */
  public List<PaymentEvent> validPayments() throws IOException {
    List<PaymentEvent> payments = new ArrayList<>(validIds.size());
    for (GeneratedRecord record : records) {
      if (record.kind() == Kind.VALID) {
        payments.add(decode(record.value()));
      }
    }
    return payments;
  }

  private static PaymentEvent decode(byte[] value) throws IOException {
    try {
      return PaymentFormat.AUTO.decode(value);
    } catch (dev.paystream.transforms.validate.InvalidPaymentException e) {
      throw new IOException(e);
    }
  }

  /**
   * The first index at or after {@code from} where no re-send lies on the other side of its
   * original: a streaming job that starts there recognises every re-send it reads (its dedup state
   * starts empty; a re-send of a payment the backfill decided would be decided again).
   */
  public int splitKeepingResendsWithTheirOriginals(int from) {
    Map<String, Integer> firstIndex = new HashMap<>();
    for (int i = 0; i < records.size(); i++) {
      firstIndex.putIfAbsent(records.get(i).transactionId() == null ? "#" + i : records.get(i).transactionId(), i);
    }
    for (int split = from; split < records.size(); split++) {
      boolean straddles = false;
      for (int i = split; i < records.size() && !straddles; i++) {
        GeneratedRecord record = records.get(i);
        straddles = record.kind() == Kind.DUPLICATE && firstIndex.get(record.transactionId()) < split;
      }
      if (!straddles) {
        return split;
      }
    }
    throw new IllegalStateException("no split after " + from);
  }

  public long total() {
    return records.size();
  }

  public long duplicates() {
    return expected.count(Kind.DUPLICATE);
  }

  /**
   * {@code options} reading from and writing to topics of their own under {@code run}, with a
   * consumer group of their own, on {@code stack}'s broker.
   */
  public static FraudDetectionOptions withTestTopics(FraudDetectionOptions options, LocalStack stack, String run) {
    options.setBootstrapServers(stack.kafkaBootstrapServers());
    options.setPaymentsTopic("payments-" + run);
    options.setDecisionsTopic("fraud-decisions-" + run);
    options.setDeadLetterTopic("payments.dlq-" + run);
    options.setConsumerGroup("fraud-" + run);
    return options;
  }

  /** Sends records {@code [from, to)} in order, and checks Kafka acknowledged each. */
  public void produce(KafkaConnection kafka, String topic, int from, int to) {
    GeneratorStats sent = GeneratePayments.produce(kafka, topic, records.subList(from, to));
    assertEquals(to - from, sent.total());
  }

  /**
   * Sends records {@code [from, to)} in order as ordinary producers do: the record timestamp is the
   * send time, whatever time the payment carries.
   */
  public void produceWithSendTime(KafkaConnection kafka, String topic, int from, int to) {
    GeneratorStats sent =
        GeneratePayments.produce(kafka, topic, records.subList(from, to), GeneratePayments.RecordTimestamp.SEND_TIME);
    assertEquals(to - from, sent.total());
  }

  /** Waits until the output of records {@code [0, upTo)} is committed (at least as many records). */
  public void awaitCommittedOutput(
      CommittedTopicReader decisions, CommittedTopicReader deadLetters, int upTo, Duration timeout) {
    List<GeneratedRecord> sent = records.subList(0, upTo);
    long expectedDecisions = sent.stream().filter(r -> r.kind() == Kind.VALID).count();
    long expectedDeadLetters = sent.stream().filter(r -> r.kind() == Kind.MALFORMED).count();
    int decided = decisions.readUntil(r -> r.size() >= expectedDecisions, timeout).size();
    int rejected = deadLetters.readUntil(r -> r.size() >= expectedDeadLetters, timeout).size();
    assertTrue(
        decided >= expectedDecisions && rejected >= expectedDeadLetters,
        "committed output of the first " + upTo + " records: " + decided + "/" + expectedDecisions
            + " decisions, " + rejected + "/" + expectedDeadLetters + " dead letters");
  }

  /** Exactly once, from what was committed: the assertions of FraudDetectionPipelineIT. */
  public void assertExactlyOnce(List<FraudDecision> decisions, List<DeadLetter> deadLetters, String paymentsTopic) {
    // Every valid, distinct payment has exactly one decision, and nothing else has one.
    List<String> decided = decisions.stream().map(FraudDecision::getTransactionId).collect(Collectors.toList());
    Map<String, Long> repeated = decided.stream().collect(Collectors.groupingBy(id -> id, Collectors.counting()));
    repeated.values().removeIf(n -> n == 1);
    assertEquals(Map.of(), repeated, "transactions decided more than once");
    assertEquals(validIds.size(), decided.size(), "decisions committed");
    assertEquals(validIds, new HashSet<>(decided), "one decision per valid payment");

    // Every malformed record is dead-lettered once, with its own bytes and the expected reason.
    Map<ByteBuffer, String> deadLettered = new HashMap<>();
    for (DeadLetter letter : deadLetters) {
      deadLettered.merge(letter.getPayload(), letter.getErrorCode(), (a, b) -> a + "," + b);
      assertEquals(paymentsTopic, letter.getSourceTopic());
    }
    assertEquals(expected.count(Kind.MALFORMED), deadLetters.size(), "dead letters committed");
    assertEquals(malformedReasons, deadLettered);

    // The accounting equation, from what was committed.
    assertEquals(total(), decided.size() + deadLetters.size() + duplicates());
    assertEquals(
        new TreeMap<>(expected.byReason().entrySet().stream()
            .collect(Collectors.toMap(e -> e.getKey().name(), Map.Entry::getValue))),
        new TreeMap<>(deadLetters.stream()
            .collect(Collectors.groupingBy(DeadLetter::getErrorCode, Collectors.counting()))));
  }

  /**
   * The offsets {@code group} has committed on {@code topic}, summed over its partitions, once the
   * sum reaches {@code expected} or {@code timeout} passes. Offsets are committed when a checkpoint
   * is finalized, a moment after the output it covers became visible.
   */
  public static long committedOffsets(KafkaConnection kafka, String group, String topic, long expected, Duration timeout)
      throws InterruptedException, ExecutionException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(kafka.clientConfig(Map.of()))) {
      while (true) {
        Map<TopicPartition, OffsetAndMetadata> offsets =
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        long sum =
            offsets.entrySet().stream()
                .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                .mapToLong(e -> e.getValue().offset())
                .sum();
        if (sum >= expected || System.nanoTime() > deadline) {
          return sum;
        }
        Thread.sleep(250);
      }
    }
  }
}
