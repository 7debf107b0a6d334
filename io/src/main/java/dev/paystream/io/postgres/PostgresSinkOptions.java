package dev.paystream.io.postgres;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options of the PostgreSQL decision sink, {@link UpsertToPostgres}. */
public interface PostgresSinkOptions extends PipelineOptions {

  @Description(
      "JDBC URL of the PostgreSQL database the fraud decisions are upserted into "
          + "(driver settings such as sslmode go in its parameters)")
  @Default.String("jdbc:postgresql://127.0.0.1:5432/postgres")
  String getPostgresJdbcUrl();

  void setPostgresJdbcUrl(String value);

  @Description("PostgreSQL user")
  @Default.String("postgres")
  String getPostgresUser();

  void setPostgresUser(String value);

  @Description(
      "Name of the environment variable holding the PostgreSQL password (each worker reads it; "
          + "the password itself never travels with the pipeline). Unset variable: no password.")
  @Default.String("PAYSTREAM_POSTGRES_PASSWORD")
  String getPostgresPasswordEnv();

  void setPostgresPasswordEnv(String value);

  @Description("Pooled PostgreSQL connections per worker JVM")
  @Default.Integer(PostgresConnection.DEFAULT_POOL_SIZE)
  int getPostgresPoolSize();

  void setPostgresPoolSize(int value);

  @Description(
      "Milliseconds one attempt to get a PostgreSQL connection waits before the sink's retries"
          + " (with backoff) take over")
  @Default.Long(PostgresConnection.DEFAULT_CONNECT_TIMEOUT_MILLIS)
  long getPostgresConnectTimeoutMillis();

  void setPostgresConnectTimeoutMillis(long value);

  @Description("Decisions per JDBC batch (one round trip and one transaction each)")
  @Default.Integer(UpsertToPostgres.DEFAULT_BATCH_SIZE)
  int getPostgresBatchSize();

  void setPostgresBatchSize(int value);

  @Description(
      "Milliseconds a partial batch of a streaming pipeline waits before it is written anyway")
  @Default.Long(UpsertToPostgres.DEFAULT_MAX_BATCH_DELAY_MILLIS)
  long getPostgresMaxBatchDelayMillis();

  void setPostgresMaxBatchDelayMillis(long value);

  @Description(
      "Retries of a connection or batch while PostgreSQL is unreachable before the bundle fails "
          + "(-1: retry for ever, holding the bundle back until the server is back)")
  @Default.Integer(-1)
  int getPostgresMaxRetries();

  void setPostgresMaxRetries(int value);

  @Description("Milliseconds before the first retry; each next wait doubles")
  @Default.Long(500)
  long getPostgresInitialBackoffMillis();

  void setPostgresInitialBackoffMillis(long value);

  @Description("Longest wait in milliseconds between two retries")
  @Default.Long(30_000)
  long getPostgresMaxBackoffMillis();

  void setPostgresMaxBackoffMillis(long value);

  // Security (issue 12): a password file for deployments that mount secrets as files.
  @Description(
      "File holding the PostgreSQL password, read by each worker when --postgresPasswordEnv's "
          + "variable is unset (the password itself never travels with the pipeline). Empty: none.")
  @Default.String("")
  String getPostgresPasswordFile();

  void setPostgresPasswordFile(String value);
}
