package dev.paystream.pipelines.demo;

import dev.paystream.io.redis.RedisConnection;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/** What the demo's run left in the stores: decision rows in PostgreSQL, feature hashes in Redis. */
record StoreCounts(long decisionRows, long customersInPostgres, long featureKeys) {
  static StoreCounts read(String jdbcUrl, String user, String redisUrl) throws SQLException {
    long rows;
    long customers;
    try (Connection connection = DriverManager.getConnection(jdbcUrl, user, "");
        Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery("SELECT count(*), count(DISTINCT customer_id) FROM fraud_decisions")) {
      result.next();
      rows = result.getLong(1);
      customers = result.getLong(2);
    }
    long keys = 0;
    try (JedisPooled redis = RedisConnection.of(redisUrl).open()) {
      String cursor = ScanParams.SCAN_POINTER_START;
      do {
        ScanResult<String> page = redis.scan(cursor, new ScanParams().match("features:*").count(1_000));
        keys += page.getResult().size();
        cursor = page.getCursor();
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    }
    return new StoreCounts(rows, customers, keys);
  }
}
