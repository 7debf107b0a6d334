package dev.paystream.io.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.io.sinks.DirectPipelines;
import dev.paystream.io.sinks.FeatureKeys;
import dev.paystream.io.sinks.Outage;
import dev.paystream.io.sinks.TestDecisions;
import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.FraudDecision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.Create;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@ExtendWith(LocalStackExtension.class)
@Timeout(300)
class RedisSinkIT {

  private static final Logger LOG = LoggerFactory.getLogger(RedisSinkIT.class);
  private static final Duration TTL = Duration.ofDays(30);

  private final LocalStack stack;
  private final TestDecisions data = new TestDecisions();
  private final FeatureKeys keys;

  RedisSinkIT(LocalStack stack) {
    this.stack = stack;
    this.keys = new FeatureKeys(stack, data.prefix());
  }

  @AfterEach
  void closeKeys() {
    keys.close();
  }

  @Test
  void replayLeavesTheSameHashesAndExpiries() {
    List<CustomerFeatures> features = features(data.decisions(500, 10));

    long start = System.nanoTime();
    PipelineResult first = write(features);
    long millis = (System.nanoTime() - start) / 1_000_000;
    long sinkMillis = DirectPipelines.distributionSum(first, "redis", "batch_write_millis");
    LOG.info(
        "Wrote {} features in {} ms: {} writes/s through the DirectRunner; {} ms in pipelined"
            + " batches: {} writes/s per writer thread",
        features.size(), millis, features.size() * 1000L / millis, sinkMillis,
        features.size() * 1000L / Math.max(1, sinkMillis));
    Map<String, FeatureKeys.Entry> before = keys.dump();
    PipelineResult replay = write(features);
    Map<String, FeatureKeys.Entry> after = keys.dump();

    assertEquals(newestHashes(features), hashes(before));
    assertEquals(hashes(before), hashes(after));
    for (Map.Entry<String, FeatureKeys.Entry> key : after.entrySet()) {
      long newestEventTime = Long.parseLong(key.getValue().hash().get("event_time"));
      // PTTL is relative to the moment it was read, so it matches to within the read's delay.
      assertEquals(newestEventTime + TTL.toMillis(), before.get(key.getKey()).expiresAt(), 1_000);
      assertEquals(newestEventTime + TTL.toMillis(), key.getValue().expiresAt(), 1_000);
    }
    // Create's parallel bundles may deliver a customer's events out of order, so some are stale.
    assertEquals(
        features.size(),
        DirectPipelines.counter(first, "redis", "features_written")
            + DirectPipelines.counter(first, "redis", "stale_features_ignored"));
    // Features as new as the stored ones are written again (identically): a replay changes nothing.
    assertEquals(500, DirectPipelines.counter(replay, "redis", "features_written"));
  }

  @Test
  void outOfOrderEventsLeaveTheNewestFeatures() {
    List<CustomerFeatures> inOrder = features(data.decisions(3, 30));
    List<CustomerFeatures> shuffled = new ArrayList<>(inOrder);
    Collections.shuffle(shuffled, new Random(42));

    // Batches of 2 make the writes separate round trips, applied in the shuffled order.
    PipelineResult result = write(shuffled, WriteFeaturesToRedis.to(connection()).withBatchSize(2));
    // An old event arriving after the newest one changes nothing either.
    write(inOrder.subList(0, 5));

    assertEquals(newestHashes(inOrder), hashes(keys.dump()));
    assertTrue(DirectPipelines.counter(result, "redis", "stale_features_ignored") > 0);
  }

  @Test
  void onEqualEventTimesTheGreaterTransactionIdWinsWhateverTheOrder() {
    CustomerFeatures a = data.decision(0, 1).getFeatures();
    CustomerFeatures b =
        CustomerFeatures.newBuilder(a)
            .setTransactionId(a.getTransactionId() + "b")
            .setAmount(1)
            .build();

    write(List.of(b));
    write(List.of(a));

    assertEquals(FeatureHash.fields(b), keys.redis().hgetAll(FeatureHash.key(a.getCustomerId())));
  }

  @Test
  void customersInactiveForLongerThanTheTtlExpire() {
    CustomerFeatures old = data.decision(0, 0).getFeatures();

    write(List.of(old), WriteFeaturesToRedis.to(connection()).withTtl(Duration.ofMinutes(30)));

    // The event is an hour old, so its features expired half an hour ago.
    assertFalse(keys.redis().exists(FeatureHash.key(old.getCustomerId())));
  }

  @Test
  void scriptIsLoadedAgainAfterTheServerForgotIt() {
    keys.redis().scriptFlush();
    List<CustomerFeatures> features = features(data.decisions(2, 3));

    write(features);

    assertEquals(newestHashes(features), hashes(keys.dump()));
  }

  @Test
  void featuresWrittenWhileRedisIsDownArriveWhenItIsBack() throws Exception {
    List<CustomerFeatures> features = features(data.decisions(40, 20));
    Map<String, Map<String, String>> expected = newestHashes(features);
    Pipeline pipeline = DirectPipelines.createNonBlocking();
    DirectPipelines.streamSlowly(pipeline, features, CustomerFeatures.class)
        .apply(WriteFeaturesToRedis.to(connection()).withRetry(Outage.QUICK_RETRY));
    PipelineResult result = pipeline.run();
    try {
      new Outage("Redis", stack::stopRedis, stack::startRedis)
          .during(result, () -> keys.count() >= 10);
      DirectPipelines.await(
          result,
          "every customer's newest features",
          Duration.ofSeconds(120),
          () -> hashes(keys.dump()).equals(expected));

      // The retrying bundle's metrics are committed when it finishes, just after its last write.
      DirectPipelines.await(
          result,
          "the writer's retries while Redis was down",
          Duration.ofSeconds(30),
          () -> DirectPipelines.counter(result, "redis", "write_retries") > 0);
      LOG.info(
          "Retries during the outage: {}",
          DirectPipelines.counter(result, "redis", "write_retries"));
      assertEquals(0, DirectPipelines.counter(result, "redis", "write_failures"));
    } finally {
      stack.startRedis();
      result.cancel();
    }
  }

  private RedisConnection connection() {
    return RedisConnection.of(stack.redisUrl());
  }

  private PipelineResult write(List<CustomerFeatures> features) {
    return write(features, WriteFeaturesToRedis.to(connection()));
  }

  private static PipelineResult write(List<CustomerFeatures> features, WriteFeaturesToRedis sink) {
    Pipeline pipeline = DirectPipelines.create();
    pipeline.apply(Create.of(features).withCoder(AvroCoder.of(CustomerFeatures.class))).apply(sink);
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    return result;
  }

  private static List<CustomerFeatures> features(List<FraudDecision> decisions) {
    return decisions.stream().map(FraudDecision::getFeatures).toList();
  }

  /** Each customer's hash as the sink should leave it: that of their newest event. */
  static Map<String, Map<String, String>> newestHashes(List<CustomerFeatures> features) {
    return features.stream()
        .collect(
            Collectors.toMap(
                f -> FeatureHash.key(f.getCustomerId()),
                Function.identity(),
                (x, y) -> x.getEventTime() >= y.getEventTime() ? x : y))
        .entrySet()
        .stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> FeatureHash.fields(e.getValue())));
  }

  private static Map<String, Map<String, String>> hashes(Map<String, FeatureKeys.Entry> dump) {
    return dump.entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().hash()));
  }
}
