package dev.paystream.io.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.io.sinks.DirectPipelines;
import dev.paystream.schemas.MerchantTotal;
import dev.paystream.schemas.PaneTiming;
import dev.paystream.schemas.PaymentStats;
import dev.paystream.schemas.StatsDimension;
import dev.paystream.schemas.WindowPane;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.Create;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalStackExtension.class)
@Timeout(300)
class PaymentStatsSinkIT {

  private static final long MINUTE = 60_000;

  private final LocalStack stack;
  private final String prefix = "t" + UUID.randomUUID().toString().substring(0, 8) + "-";

  PaymentStatsSinkIT(LocalStack stack) {
    this.stack = stack;
  }

  @Test
  void laterPaneReplacesTheRowAndAnOlderOrReplayedPaneChangesNothing() throws SQLException {
    PaymentStats onTime = stats(prefix + "m1", 0, PaneTiming.ON_TIME, 3, 300);
    PaymentStats late = stats(prefix + "m1", 1, PaneTiming.LATE, 4, 450);
    PaymentStats otherWindow = stats(prefix + "m1", 0, PaneTiming.ON_TIME, 1, 99);
    otherWindow.getWindow().setStart(MINUTE);
    otherWindow.getWindow().setEnd(2 * MINUTE);

    write(List.of(onTime, otherWindow));
    List<String> afterOnTime = dump();
    write(List.of(late));
    List<String> afterLate = dump();
    // An older pane arriving after a newer one, and a replay of everything, twice in one batch.
    write(List.of(onTime, late, onTime, late, otherWindow));

    assertEquals(List.of(late, otherWindow), read());
    assertNotEquals(afterOnTime.get(0), afterLate.get(0));
    assertEquals(afterOnTime.get(1), afterLate.get(1));
    assertEquals(afterLate, dump());
  }

  @Test
  void everyStatisticRoundTripsAndUnrequestedOnesStayNull() throws SQLException {
    PaymentStats full = stats(prefix + "food", 0, PaneTiming.EARLY, 5, 1_000);
    full.setDimension(StatsDimension.MERCHANT_CATEGORY);
    full.setTopMerchants(
        List.of(new MerchantTotal(prefix + "m2", 3L, 700L), new MerchantTotal(prefix + "m1", 2L, 300L)));
    PaymentStats countOnly =
        PaymentStats.newBuilder()
            .setDimension(StatsDimension.PAYMENT_METHOD)
            .setKey(prefix + "CARD")
            .setWindow(new WindowPane(0L, MINUTE, PaneTiming.ON_TIME, 0L))
            .setPaymentCount(7L)
            .build();

    write(List.of(full, countOnly));

    assertEquals(List.of(full, countOnly), read());
  }

  private static PaymentStats stats(String key, long pane, PaneTiming timing, long count, long sum) {
    return PaymentStats.newBuilder()
        .setDimension(StatsDimension.MERCHANT)
        .setKey(key)
        .setWindow(new WindowPane(0L, MINUTE, timing, pane))
        .setPaymentCount(count)
        .setAmountSum(sum)
        .setAmountMean((double) sum / count)
        .setAmountP50(sum / count)
        .setAmountP95(sum / count + 1)
        .setAmountP99(sum / count + 2)
        .setDistinctCustomers(count - 1)
        .setDeclineRate(1.0 / count)
        .build();
  }

  private void write(List<PaymentStats> stats) {
    Pipeline pipeline = DirectPipelines.create();
    pipeline
        .apply(Create.of(stats).withCoder(AvroCoder.of(PaymentStats.class)))
        .apply(
            UpsertToPostgres.paymentStats(PostgresConnection.of(stack.jdbcUrl(), stack.postgresUser()))
                .withBatching(100, Duration.ofMillis(100)));
    pipeline.run().waitUntilFinish();
  }

  private List<PaymentStats> read() throws SQLException {
    try (Connection connection = connect()) {
      return StoredPaymentStats.read(connection, prefix);
    }
  }

  /** Each row as PostgreSQL prints it, after the {@code xmin} of the transaction that wrote it. */
  private List<String> dump() throws SQLException {
    try (Connection connection = connect();
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT xmin, s::text FROM payment_stats s WHERE key LIKE ? ORDER BY window_start")) {
      statement.setString(1, prefix + "%");
      List<String> dump = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          dump.add(rows.getString(1) + " " + rows.getString(2));
        }
      }
      return dump;
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(stack.jdbcUrl(), stack.postgresUser(), stack.postgresPassword());
  }
}
