package dev.paystream.io.sinks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.io.postgres.PostgresConnection;
import dev.paystream.io.postgres.UpsertToPostgres;
import dev.paystream.io.redis.RedisConnection;
import dev.paystream.io.redis.RedisFeatureStore;
import dev.paystream.io.redis.WriteFeaturesToRedis;
import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.FraudDecision;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The online store (Redis) and the offline one (PostgreSQL) agree on every customer's features. */
@ExtendWith(LocalStackExtension.class)
@Timeout(120)
class OnlineOfflineAgreementIT {

  private final LocalStack stack;
  private final TestDecisions data = new TestDecisions();

  OnlineOfflineAgreementIT(LocalStack stack) {
    this.stack = stack;
  }

  @Test
  void redisHoldsTheFeaturesOfEachCustomersLatestDecisionRow() {
    int customers = 50;
    List<FraudDecision> decisions = new ArrayList<>(data.decisions(customers, 12));
    // Same event time as payment 11 of customer 0, a greater id: it must win in both stores.
    decisions.add(
        FraudDecision.newBuilder(data.decision(0, 11))
            .setTransactionId(data.decision(0, 11).getTransactionId() + "z")
            .setFeatures(
                CustomerFeatures.newBuilder(data.decision(0, 11).getFeatures())
                    .setTransactionId(data.decision(0, 11).getTransactionId() + "z")
                    .setAmount(7)
                    .build())
            .build());
    Collections.shuffle(decisions, new Random(7));

    Pipeline pipeline = DirectPipelines.create();
    PCollection<FraudDecision> scored =
        pipeline.apply(Create.of(decisions).withCoder(AvroCoder.of(FraudDecision.class)));
    scored.apply(
        UpsertToPostgres.decisions(
            PostgresConnection.of(stack.jdbcUrl(), stack.postgresUser())));
    scored
        .apply(
            MapElements.into(TypeDescriptor.of(CustomerFeatures.class))
                .via(FraudDecision::getFeatures))
        .setCoder(AvroCoder.of(CustomerFeatures.class))
        .apply(WriteFeaturesToRedis.to(RedisConnection.of(stack.redisUrl())));
    pipeline.run().waitUntilFinish();

    Map<String, CustomerFeatures> offline = new DecisionRows(stack, data.prefix()).latestFeatures();
    assertEquals(customers, offline.size());
    try (RedisFeatureStore online = RedisFeatureStore.open(RedisConnection.of(stack.redisUrl()), RedisConnection.DEFAULT_POOL_SIZE)) {
      for (Map.Entry<String, CustomerFeatures> customer : offline.entrySet()) {
        assertEquals(customer.getValue(), online.latest(customer.getKey()).orElseThrow());
      }
    }
    assertEquals(7, offline.get(data.customer(0)).getAmount());
  }
}
