package dev.paystream.io.postgres;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Conversions of Avro field values to statement parameters, shared by the tables. */
final class SqlValues {
  private SqlValues() {}

  /** Epoch milliseconds as a {@code timestamptz} in UTC. */
  static OffsetDateTime utc(long epochMillis) {
    return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
  }

  static void setDouble(PreparedStatement statement, int index, Double value) throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.DOUBLE);
    } else {
      statement.setDouble(index, value);
    }
  }

  static void setLong(PreparedStatement statement, int index, Long value) throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.BIGINT);
    } else {
      statement.setLong(index, value);
    }
  }

  static void setBoolean(PreparedStatement statement, int index, Boolean value) throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.BOOLEAN);
    } else {
      statement.setBoolean(index, value);
    }
  }

  static void setInteger(PreparedStatement statement, int index, Integer value) throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.INTEGER);
    } else {
      statement.setInt(index, value);
    }
  }
}
