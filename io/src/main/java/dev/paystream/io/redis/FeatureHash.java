package dev.paystream.io.redis;

import dev.paystream.schemas.CustomerFeatures;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.Schema.Field;

/**
 * A customer's features as a Redis hash under {@code features:<customer_id>}: one hash field per
 * {@link CustomerFeatures} field, same name, value as text (numbers in Java's round-trip form,
 * booleans {@code true}/{@code false}, epoch milliseconds for {@code event_time}). A null field
 * ({@code seconds_since_previous} of a first payment) is left out.
 *
 * <p>The mapping follows the Avro schema, so a field added to {@code CustomerFeatures} is stored
 * without a change here.
 */
public final class FeatureHash {

  /** Prefix of every feature key. */
  public static final String KEY_PREFIX = "features:";

  private static final Schema SCHEMA = CustomerFeatures.getClassSchema();

  private FeatureHash() {}

  /** The key of {@code customerId}'s hash. */
  public static String key(String customerId) {
    return KEY_PREFIX + customerId;
  }

  /** The hash fields of {@code features}, in schema order. */
  public static Map<String, String> fields(CustomerFeatures features) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (Field field : SCHEMA.getFields()) {
      Object value = features.get(field.pos());
      if (value != null) {
        fields.put(field.name(), value.toString());
      }
    }
    return fields;
  }

  /**
   * The features a hash holds. Hash fields unknown to this schema version are ignored.
   *
   * @throws IllegalArgumentException if a field the schema requires is missing
   */
  public static CustomerFeatures parse(Map<String, String> hash) {
    CustomerFeatures features = new CustomerFeatures();
    for (Field field : SCHEMA.getFields()) {
      String text = hash.get(field.name());
      if (text == null && !field.schema().isNullable()) {
        throw new IllegalArgumentException("Feature hash lacks " + field.name() + ": " + hash);
      }
      features.put(field.pos(), text == null ? null : parse(text, nonNull(field.schema())));
    }
    return features;
  }

  private static Object parse(String text, Schema.Type type) {
    return switch (type) {
      case STRING -> text;
      case LONG -> Long.parseLong(text);
      case INT -> Integer.parseInt(text);
      case DOUBLE -> Double.parseDouble(text);
      case BOOLEAN -> Boolean.parseBoolean(text);
      default -> throw new IllegalStateException("No text form for feature type " + type);
    };
  }

  private static Schema.Type nonNull(Schema schema) {
    if (schema.getType() != Schema.Type.UNION) {
      return schema.getType();
    }
    return schema.getTypes().stream()
        .map(Schema::getType)
        .filter(type -> type != Schema.Type.NULL)
        .findFirst()
        .orElseThrow();
  }
}
