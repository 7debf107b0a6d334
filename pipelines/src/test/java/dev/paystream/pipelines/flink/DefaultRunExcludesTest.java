package dev.paystream.pipelines.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The default {@code mvn -B install} neither runs nor reports as skipped the integration tests that
 * need the Flink job jar: failsafe's default excludes (pipelines/pom.xml, main build) name each of
 * them; the {@code -Pflink-runner} step of {@code .ci/run} runs them by name ({@code -Dit.test},
 * which overrides the excludes). Without the excludes, the default run started a local stack for
 * each only to skip it.
 */
class DefaultRunExcludesTest {
  private static final Path MODULE = Path.of("").toAbsolutePath();

  @Test
  void integrationTestsThatNeedTheJobJarAreExcludedFromTheDefaultRun() throws IOException {
    List<String> needJar;
    try (Stream<Path> files = Files.walk(MODULE.resolve("src/test/java"))) {
      needJar = files
          .filter(f -> f.getFileName().toString().endsWith("IT.java"))
          .filter(DefaultRunExcludesTest::needsJobJar)
          .map(f -> f.getFileName().toString())
          .sorted()
          .toList();
    }
    assertFalse(needJar.isEmpty(), "the session cluster ITs exist");
    assertEquals(needJar, defaultFailsafeExcludes().stream().filter(needJar::contains).sorted().toList(),
        "every IT that needs the job jar is excluded from the default failsafe run");
  }

  private static boolean needsJobJar(Path file) {
    try {
      String text = Files.readString(file);
      return text.contains("JobJar.") || text.contains("paystream.flink.jobJar");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The file names in the main build's failsafe {@code <excludes>} (not a profile's). */
  private static List<String> defaultFailsafeExcludes() throws IOException {
    String pom = Files.readString(MODULE.resolve("pom.xml"));
    String build = pom.substring(pom.lastIndexOf("</profiles>"));
    int failsafe = build.indexOf("<artifactId>maven-failsafe-plugin</artifactId>");
    String excludes = build.substring(build.indexOf("<excludes>", failsafe), build.indexOf("</excludes>", failsafe));
    Matcher exclude = Pattern.compile("<exclude>\\*\\*/([^<]+)</exclude>").matcher(excludes);
    List<String> names = new java.util.ArrayList<>();
    while (exclude.find()) {
      names.add(exclude.group(1));
    }
    return names;
  }
}
