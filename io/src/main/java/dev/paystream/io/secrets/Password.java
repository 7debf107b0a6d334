package dev.paystream.io.secrets;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a password is, never the password itself: the name of an environment variable, or a file
 * (its content, without the line break at its end). Only these names travel with a pipeline, in
 * its options and its serialized transforms; each worker reads the value when it connects. Beam
 * and Flink print options (Flink's web UI shows them under /jobs/&lt;id&gt;/config), so a password
 * must never be an option's value.
 *
 * @param env the environment variable; null or blank for none
 * @param file the file; null or blank for none
 */
public record Password(String env, String file) implements Serializable {

  /** No password. */
  public static final Password NONE = new Password(null, null);

  /** The value of the set, non-empty variable {@code env}; else the content of {@code file}, if one is named. */
  public Optional<String> read() {
    Optional<String> fromEnv =
        Optional.ofNullable(env).filter(name -> !name.isBlank()).map(System::getenv).filter(value -> !value.isEmpty());
    if (fromEnv.isPresent() || file == null || file.isBlank()) {
      return fromEnv;
    }
    try {
      return Optional.of(Files.readString(Path.of(file), StandardCharsets.UTF_8).stripTrailing());
    } catch (IOException e) {
      // The file's name is no secret; its content never gets here.
      throw new UncheckedIOException("Cannot read the password file " + file, e);
    }
  }

  /** The same, from the environment variable {@code variable}. */
  public Password withEnv(String variable) {
    return new Password(variable, file);
  }

  /** The same, from {@code path} when the environment variable is unset. */
  public Password withFile(String path) {
    return new Password(env, path);
  }
}
