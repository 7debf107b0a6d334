package dev.paystream.io.sinks;

import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.Decision;
import dev.paystream.schemas.FraudDecision;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Deterministic fraud decisions for sink tests. Every call makes ids under a fresh prefix, so
 * tests sharing the local stack's database and Redis never see each other's rows and keys.
 */
public final class TestDecisions {

  private final String prefix = "t" + UUID.randomUUID().toString().substring(0, 8) + "-";
  private final long baseTime = System.currentTimeMillis() - 60 * 60 * 1000;

  /** The prefix of every customer and transaction id made here. */
  public String prefix() {
    return prefix;
  }

  /** The id of customer {@code c}. */
  public String customer(int c) {
    return prefix + "c" + c;
  }

  /**
   * {@code paymentsEach} decisions for each of {@code customers} customers, customer after
   * customer, each customer's payments one second apart, in event-time order.
   */
  public List<FraudDecision> decisions(int customers, int paymentsEach) {
    List<FraudDecision> decisions = new ArrayList<>(customers * paymentsEach);
    for (int c = 0; c < customers; c++) {
      for (int p = 0; p < paymentsEach; p++) {
        decisions.add(decision(c, p));
      }
    }
    return decisions;
  }

  /** Payment {@code p} (0-based) of customer {@code c}, {@code p} seconds after the base time. */
  public FraudDecision decision(int c, int p) {
    String transaction = prefix + "tx-" + c + "-" + p;
    long time = baseTime + p * 1000L;
    CustomerFeatures features =
        CustomerFeatures.newBuilder()
            .setCustomerId(customer(c))
            .setTransactionId(transaction)
            .setEventTime(time)
            .setAmount(1_000L + 37L * c + 11L * p)
            .setPaymentsLast5m(Math.min(p + 1, 5))
            .setPaymentsLast1h(p + 1)
            .setAmountSum24h(10_000L * (p + 1))
            .setSecondsSincePrevious(p == 0 ? null : 1.0)
            .setHourOfDay((int) ((time / 3_600_000) % 24))
            .setUnusualHour(p % 7 == 3)
            .setHistoryCount(p)
            .setAmountMean(1_000.0 + c / 3.0)
            .setAmountStddev(p == 0 ? 0.0 : 12.5 + p / 7.0)
            .setAmountZscore(p == 0 ? 0.0 : (p % 5) - 2.0 / 3.0)
            // v2 features: null for a v1 payment (every third), else set.
            .setNewDevice(p % 3 == 0 ? null : p % 3 == 1)
            .setKmPerHourSincePrevious(p % 3 == 0 ? null : 3.5 * p + 1.0 / 3.0)
            // v3 features: null for an earlier release's decision (every fourth), else set.
            .setKmFromHome(p % 4 == 0 ? null : 0.7 * p + 1.0 / 7.0)
            .setPaymentsLast2mExcess(p % 4 == 0 ? null : p % 6 - 29.0 / 58.0)
            .setHoursFromUsual(p % 4 == 0 ? null : p % 13)
            // v4 features: null for an earlier release's decision (every fifth), else set.
            .setMerchantId(p % 5 == 0 ? null : "merch_" + (p % 7))
            .setPaymentDeclined(p % 5 == 0 ? null : p % 11 == 1)
            .setNewMerchant(p % 5 == 0 ? null : p % 3 == 2)
            .setMerchantPayments30m(p % 5 == 0 ? null : p % 17)
            .setMerchantRisky30m(p % 5 == 0 ? null : p % 4)
            .setMerchantRiskScore(p % 5 == 0 ? null : (p % 4) / (p % 17 + 5.0))
            .setAmountVsMerchant(p % 5 == 0 ? null : (p % 9) / 3.0 - 1.0 / 7.0)
            .build();
    Decision decision = Decision.values()[(c + p) % Decision.values().length];
    return FraudDecision.newBuilder()
        .setTransactionId(transaction)
        .setCustomerId(customer(c))
        .setEventTime(time)
        .setDecision(decision)
        .setScore(decision.ordinal() / 2.0 + 0.01 * (p % 10))
        .setReasons(
            decision == Decision.APPROVE ? List.of() : List.of("velocity_5m", "amount_zscore"))
        .setFeatures(features)
        .setModelVersion("rules-test")
        .build();
  }
}
