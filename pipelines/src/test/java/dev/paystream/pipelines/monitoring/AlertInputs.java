package dev.paystream.pipelines.monitoring;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/** The series the alert expressions of a rules file read: what must have data for them to mean anything. */
public final class AlertInputs {
  private static final Pattern SELECTOR = Pattern.compile("\\b((?:paystream|flink)_[a-zA-Z_]+|up)(\\{[^}]*\\})?");

  private AlertInputs() {}

  /** The metric selectors (name and matchers) of the expressions of group {@code group}. */
  @SuppressWarnings("unchecked")
  public static Set<String> metricsOfGroup(String rulesYaml, String group) {
    Map<String, Object> rules = new Yaml().load(rulesYaml);
    Set<String> selectors = new TreeSet<>();
    for (Map<String, Object> g : (List<Map<String, Object>>) rules.get("groups")) {
      if (!group.equals(g.get("name"))) {
        continue;
      }
      for (Map<String, Object> rule : (List<Map<String, Object>>) g.get("rules")) {
        Matcher matcher = SELECTOR.matcher((String) rule.get("expr"));
        while (matcher.find()) {
          selectors.add(matcher.group(1) + (matcher.group(2) == null ? "" : matcher.group(2)));
        }
      }
    }
    return selectors;
  }
}
