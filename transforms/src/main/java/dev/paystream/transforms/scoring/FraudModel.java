package dev.paystream.transforms.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.Decision;
import dev.paystream.schemas.FraudDecision;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A versioned, weighted rule model read from a JSON file (see {@code fraud-model-v1.json}). The
 * score is the sum of the weights of the rules that fire, capped at 1; at or above the decline
 * threshold the payment is declined, at or above the review threshold it is reviewed.
 */
public final class FraudModel implements Serializable {
  public static final String DEFAULT_RESOURCE = "/dev/paystream/transforms/scoring/fraud-model-v3.json";

  /** The model of the release before: kept to measure against ({@code DetectionQualityTest}) and to roll back to. */
  public static final String PREVIOUS_RESOURCE = "/dev/paystream/transforms/scoring/fraud-model-v2.json";

  /** The first model, rules-v1: still loadable, like every model file a release shipped. */
  public static final String FIRST_RESOURCE = "/dev/paystream/transforms/scoring/fraud-model-v1.json";

  private final String version;
  private final double reviewThreshold;
  private final double declineThreshold;
  private final List<FraudRule> rules;

  FraudModel(String version, double reviewThreshold, double declineThreshold, List<FraudRule> rules) {
    if (!(0 < reviewThreshold && reviewThreshold <= declineThreshold && declineThreshold <= 1)) {
      throw new IllegalArgumentException(
          "model " + version + ": need 0 < review_threshold <= decline_threshold <= 1, got "
              + reviewThreshold + " and " + declineThreshold);
    }
    this.version = version;
    this.reviewThreshold = reviewThreshold;
    this.declineThreshold = declineThreshold;
    this.rules = List.copyOf(rules);
  }

  /** The model shipped with this release. */
  public static FraudModel loadDefault() {
    return loadResource(DEFAULT_RESOURCE);
  }

  /** A model bundled on the class path, e.g. {@link #PREVIOUS_RESOURCE}. */
  public static FraudModel loadResource(String resource) {
    try (InputStream in = FraudModel.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no fraud model " + resource + " on the class path");
      }
      return parse(in, resource);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A model file of the user's; the path is read once, when the pipeline is built. */
  public static FraudModel load(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return parse(in, file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read fraud model " + file, e);
    }
  }

  static FraudModel parse(InputStream in, String source) throws IOException {
    JsonNode json = new ObjectMapper().readTree(in);
    List<FraudRule> rules = new ArrayList<>();
    for (JsonNode rule : required(json, "rules", source)) {
      rules.add(
          new FraudRule(
              required(rule, "name", source).asText(),
              required(rule, "feature", source).asText(),
              FraudRule.Operator.of(required(rule, "op", source).asText()),
              required(rule, "threshold", source).asDouble(),
              required(rule, "weight", source).asDouble()));
    }
    return new FraudModel(
        required(json, "version", source).asText(),
        required(json, "review_threshold", source).asDouble(),
        required(json, "decline_threshold", source).asDouble(),
        rules);
  }

  private static JsonNode required(JsonNode json, String field, String source) {
    JsonNode node = json.get(field);
    if (node == null || node.isNull()) {
      throw new IllegalArgumentException("fraud model " + source + ": '" + field + "' is missing");
    }
    return node;
  }

  public String version() {
    return version;
  }

  public FraudDecision score(CustomerFeatures features) {
    List<String> reasons = new ArrayList<>();
    double score = 0;
    for (FraudRule rule : rules) {
      if (rule.firesOn(features)) {
        reasons.add(rule.name());
        score += rule.weight();
      }
    }
    score = Math.min(1.0, score);
    return FraudDecision.newBuilder()
        .setTransactionId(features.getTransactionId())
        .setCustomerId(features.getCustomerId())
        .setEventTime(features.getEventTime())
        .setDecision(decide(score))
        .setScore(score)
        .setReasons(reasons)
        .setFeatures(features)
        .setModelVersion(version)
        .build();
  }

  private Decision decide(double score) {
    if (score >= declineThreshold) {
      return Decision.DECLINE;
    }
    return score >= reviewThreshold ? Decision.REVIEW : Decision.APPROVE;
  }
}
