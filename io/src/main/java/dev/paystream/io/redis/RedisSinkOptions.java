package dev.paystream.io.redis;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options of the Redis feature store sink, {@link WriteFeaturesToRedis#from}. */
public interface RedisSinkOptions extends PipelineOptions {

  @Description(
      "Redis URL of the online feature store: redis://host:port[/db], or rediss://host:port for "
          + "TLS (JVM default trust store). Keep passwords out of it, see --redisPasswordEnv.")
  @Default.String("redis://127.0.0.1:6379")
  String getRedisUrl();

  void setRedisUrl(String value);

  @Description(
      "Name of the environment variable holding the Redis password (each worker reads it). "
          + "Unset variable: the URL's password, if any.")
  @Default.String("PAYSTREAM_REDIS_PASSWORD")
  String getRedisPasswordEnv();

  void setRedisPasswordEnv(String value);

  @Description(
      "Days after a customer's newest event time that their features expire from Redis (0: never)")
  @Default.Long(WriteFeaturesToRedis.DEFAULT_TTL_DAYS)
  long getRedisFeatureTtlDays();

  void setRedisFeatureTtlDays(long value);

  @Description("Feature writes per pipelined Redis round trip")
  @Default.Integer(WriteFeaturesToRedis.DEFAULT_BATCH_SIZE)
  int getRedisBatchSize();

  void setRedisBatchSize(int value);

  @Description(
      "Retries of a batch while Redis is unreachable before the bundle fails "
          + "(-1: retry for ever, holding the bundle back until the server is back)")
  @Default.Integer(-1)
  int getRedisMaxRetries();

  void setRedisMaxRetries(int value);

  @Description("Milliseconds before the first retry; each next wait doubles")
  @Default.Long(500)
  long getRedisInitialBackoffMillis();

  void setRedisInitialBackoffMillis(long value);

  @Description("Longest wait in milliseconds between two retries")
  @Default.Long(30_000)
  long getRedisMaxBackoffMillis();

  void setRedisMaxBackoffMillis(long value);

  // Security (issue 12): password files and the certificate authority for rediss:// URLs.
  @Description(
      "File holding the Redis password, read by each worker when --redisPasswordEnv's variable is "
          + "unset. Empty: none.")
  @Default.String("")
  String getRedisPasswordFile();

  void setRedisPasswordFile(String value);

  @Description(
      "PEM file of the certificate authority a rediss:// server's certificate must chain to (its "
          + "host name is verified too). Empty: the JVM's default trust store.")
  @Default.String("")
  String getRedisTrustedCertificate();

  void setRedisTrustedCertificate(String value);
}
