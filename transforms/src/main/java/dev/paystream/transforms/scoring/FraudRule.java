package dev.paystream.transforms.scoring;

import dev.paystream.schemas.CustomerFeatures;
import java.io.Serializable;
import java.util.function.DoublePredicate;

/**
 * One rule of a {@link FraudModel}: a comparison of one {@link CustomerFeatures} field with a
 * threshold. Booleans compare as 1 (true) and 0 (false); a rule on a null feature does not fire.
 */
public final class FraudRule implements Serializable {
  /** The comparisons a model file may use, by their spelling there. */
  enum Operator {
    GT(">"), GE(">="), LT("<"), LE("<="), EQ("==");

    final String symbol;

    Operator(String symbol) {
      this.symbol = symbol;
    }

    static Operator of(String symbol) {
      for (Operator op : values()) {
        if (op.symbol.equals(symbol)) {
          return op;
        }
      }
      throw new IllegalArgumentException("unknown operator '" + symbol + "', use one of > >= < <= ==");
    }

    DoublePredicate against(double threshold) {
      return switch (this) {
        case GT -> v -> v > threshold;
        case GE -> v -> v >= threshold;
        case LT -> v -> v < threshold;
        case LE -> v -> v <= threshold;
        case EQ -> v -> v == threshold;
      };
    }
  }

  private final String name;
  private final String feature;
  private final Operator operator;
  private final double threshold;
  private final double weight;

  FraudRule(String name, String feature, Operator operator, double threshold, double weight) {
    if (CustomerFeatures.getClassSchema().getField(feature) == null) {
      throw new IllegalArgumentException("rule " + name + ": no feature named '" + feature + "'");
    }
    if (weight < 0 || weight > 1) {
      throw new IllegalArgumentException("rule " + name + ": weight must be in [0, 1], was " + weight);
    }
    this.name = name;
    this.feature = feature;
    this.operator = operator;
    this.threshold = threshold;
    this.weight = weight;
  }

  public String name() {
    return name;
  }

  public double weight() {
    return weight;
  }

  boolean firesOn(CustomerFeatures features) {
    Object value = features.get(feature);
    if (value == null) {
      return false;
    }
    double number = value instanceof Boolean b ? (b ? 1 : 0) : ((Number) value).doubleValue();
    return operator.against(threshold).test(number);
  }
}
