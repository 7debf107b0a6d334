package dev.paystream.pipelines;

import static org.junit.jupiter.api.Assertions.fail;

import dev.paystream.io.localstack.StackSecurity;
import java.util.List;

/** Searches what a run showed for the secured stack's passwords. */
public final class Secrets {
  private Secrets() {}

  /** Fails, naming where (never the secret), if {@code text} holds any password of {@code security}. */
  public static void assertNoneIn(StackSecurity security, String text, String where) {
    List<String> secrets = security.secrets();
    for (int i = 0; i < secrets.size(); i++) {
      if (text.contains(secrets.get(i))) {
        fail("Secret #" + i + " of the stack (" + security.kafkaUsers() + ", PostgreSQL, Redis, keystore) shows in " + where);
      }
    }
  }

  /** An exception and its causes and suppressed ones, as a log would show them. */
  public static String chain(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t).append('\n');
      for (Throwable suppressed : t.getSuppressed()) {
        all.append(chain(suppressed));
      }
    }
    return all.toString();
  }
}
