package dev.paystream.pipelines.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The alert rules are valid ({@code promtool check rules}), each alert behaves as its unit test in
 * {@code alerts.test.yml} says ({@code promtool test rules}), and no alert is left without a test.
 */
class PrometheusRulesTest {
  private static final Path PROMETHEUS_DIR = PrometheusBinaries.RULES.getParent();

  @Test
  void rulesAreValid() throws Exception {
    PrometheusBinaries.Result check =
        PrometheusBinaries.run(PROMETHEUS_DIR, List.of(PrometheusBinaries.find("promtool").toString(), "check", "rules", "alerts.yml"));
    assertEquals(0, check.exitCode(), check.output());
  }

  @Test
  void everyAlertPassesItsUnitTests() throws Exception {
    PrometheusBinaries.Result test =
        PrometheusBinaries.run(
            PROMETHEUS_DIR, List.of(PrometheusBinaries.find("promtool").toString(), "test", "rules", "alerts.test.yml"));
    assertEquals(0, test.exitCode(), test.output());
    assertTrue(test.output().contains("SUCCESS"), test.output());
  }

  @Test
  void everyAlertHasAUnitTestThatExpectsItToFire() throws Exception {
    Set<String> alerts = alertNames(Files.readString(PrometheusBinaries.RULES));
    Matcher firing =
        Pattern.compile("alertname: (\\w+)\\n\\s+exp_alerts:\\n\\s+- exp_labels")
            .matcher(Files.readString(PROMETHEUS_DIR.resolve("alerts.test.yml")));
    Set<String> tested = new TreeSet<>();
    while (firing.find()) {
      tested.add(firing.group(1));
    }
    assertEquals(alerts, tested);
  }

  /** The names of the alerts of a rules file. */
  @SuppressWarnings("unchecked")
  static Set<String> alertNames(String rulesYaml) {
    Map<String, Object> rules = new Yaml().load(rulesYaml);
    Set<String> names = new TreeSet<>();
    for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
      for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
        names.add((String) rule.get("alert"));
      }
    }
    return names;
  }
}
