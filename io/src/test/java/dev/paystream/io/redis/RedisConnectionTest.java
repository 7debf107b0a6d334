package dev.paystream.io.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RedisConnectionTest {

  @Test
  void tlsComesFromTheScheme() {
    assertTrue(RedisConnection.of("rediss://cache.example:6380").tls());
    assertFalse(RedisConnection.of("redis://127.0.0.1:6379/2").tls());
  }

  @Test
  void rejectsOtherSchemesAndMissingPorts() {
    assertThrows(IllegalArgumentException.class, () -> RedisConnection.of("http://127.0.0.1:6379"));
    assertThrows(IllegalArgumentException.class, () -> RedisConnection.of("redis://127.0.0.1"));
  }

  @Test
  void toStringShowsNoCredentials() {
    RedisConnection connection =
        RedisConnection.of("redis://app:s3cret@127.0.0.1:6379/1").withPasswordFromEnv("REDIS_PW");

    assertEquals(
        "RedisConnection{redis://127.0.0.1:6379/1, passwordEnv=REDIS_PW}", connection.toString());
  }
}
