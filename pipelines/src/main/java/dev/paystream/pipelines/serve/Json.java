package dev.paystream.pipelines.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import org.apache.avro.Schema.Field;
import org.apache.avro.generic.GenericRecord;

/**
 * The service's JSON: Avro records (decisions, features, statistics) as plain objects whose keys
 * are the schema's field names, so the responses read like the Kafka topics and the tables. Unions
 * are unwrapped (Avro's own JSON encoding would write {@code {"double": 1.5}}), enums are their
 * names, and a non-finite double (which JSON cannot hold) is null.
 */
final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  static final String CONTENT_TYPE = "application/json; charset=utf-8";

  private Json() {}

  static ObjectNode object() {
    return NODES.objectNode();
  }

  /** An Avro value (record, array, enum, string, number, boolean or null) as JSON. */
  static JsonNode avro(Object value) {
    if (value == null) {
      return NODES.nullNode();
    } else if (value instanceof GenericRecord record) {
      ObjectNode object = NODES.objectNode();
      for (Field field : record.getSchema().getFields()) {
        object.set(field.name(), avro(record.get(field.pos())));
      }
      return object;
    } else if (value instanceof Collection<?> values) {
      ArrayNode array = NODES.arrayNode();
      values.forEach(element -> array.add(avro(element)));
      return array;
    } else if (value instanceof Double number) {
      return Double.isFinite(number) ? NODES.numberNode(number) : NODES.nullNode();
    } else if (value instanceof Long number) {
      return NODES.numberNode(number);
    } else if (value instanceof Integer number) {
      return NODES.numberNode(number);
    } else if (value instanceof Boolean flag) {
      return NODES.booleanNode(flag);
    }
    // CharSequence (Avro's Utf8 or String) and enums (generated Java enums, GenericEnumSymbol)
    return NODES.textNode(value.toString());
  }

  static Route.Response response(int status, JsonNode body) {
    try {
      return new Route.Response(status, CONTENT_TYPE, MAPPER.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree that cannot be written", e);
    }
  }

  static Route.Response error(int status, String message) {
    return response(status, object().put("status", status).put("error", message));
  }

  static JsonNode parse(byte[] body) {
    try {
      return MAPPER.readTree(body);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("not JSON: " + new String(body, java.nio.charset.StandardCharsets.UTF_8), e);
    }
  }
}
