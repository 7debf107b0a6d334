package dev.paystream.transforms.validate;

import static dev.paystream.transforms.validate.DeadLetterReason.INVALID_TIMESTAMP;
import static dev.paystream.transforms.validate.DeadLetterReason.MISSING_FIELD;
import static dev.paystream.transforms.validate.DeadLetterReason.UNKNOWN_ENUM;
import static dev.paystream.transforms.validate.DeadLetterReason.UNPARSEABLE;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paystream.schemas.CommissionType;
import dev.paystream.schemas.CustomerType;
import dev.paystream.schemas.DeviceInfo;
import dev.paystream.schemas.GeoLocation;
import dev.paystream.schemas.MerchantCategory;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.PaymentMethod;
import dev.paystream.schemas.PaymentStatus;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * The JSON form of a payment, as existing producers write it: snake_case field names, an ISO-8601
 * {@code timestamp} with an offset ({@code Z}, {@code +00:00}; up to nanoseconds, so Python's
 * {@code isoformat()} too) or epoch milliseconds, lower-case enum values. Decoding checks shape only
 * (fields present, types, enum values); business rules live in {@link PaymentRules}.
 *
 * <p>Decoding is strict, because a lenient reader decides ambiguous input silently: exactly one
 * JSON value per record (a second object after the first is an error, not ignored), no duplicate
 * keys (which one would win?), no NaN/Infinity, and bounded nesting, string and number lengths so
 * a hostile record costs no more than its size.
 */
public final class PaymentJson {
  /** A payment nests two levels deep; anything much deeper is not a payment. */
  static final int MAX_NESTING_DEPTH = 16;
  /** Longer than any field a payment has ({@link PaymentRules} bounds those far lower). */
  static final int MAX_STRING_LENGTH = 16_384;
  /** A long has 20 digits; a double written in full, a few more. */
  static final int MAX_NUMBER_LENGTH = 64;
  /**
   * Epoch milliseconds below this (1973-03-03) are, in practice, epoch seconds (which would be
   * year 5138 read as seconds): rejected rather than read as January 1970.
   */
  static final long MIN_EPOCH_MILLIS = 100_000_000_000L;

  private static final ObjectMapper MAPPER =
      new ObjectMapper(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(MAX_NESTING_DEPTH)
                          .maxStringLength(MAX_STRING_LENGTH)
                          .maxNumberLength(MAX_NUMBER_LENGTH)
                          .build())
                  .build())
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /**
   * Optional text fields PaymentEvent v2 added; JSON and Avro share their names. Absent or null in
   * a v1 producer's JSON.
   */
  static final List<String> V2_FIELDS = List.of("currency", "card_fingerprint", "device_id", "ip_address", "channel");

  private PaymentJson() {}

  public static byte[] encode(PaymentEvent event) {
    ObjectNode json = MAPPER.createObjectNode();
    json.put("transaction_id", event.getTransactionId());
    json.put("timestamp", Instant.ofEpochMilli(event.getEventTime()).toString());
    json.put("customer_id", event.getCustomerId());
    json.put("merchant_id", event.getMerchantId());
    json.put("merchant_category", jsonName(event.getMerchantCategory()));
    json.put("payment_method", jsonName(event.getPaymentMethod()));
    json.put("amount", event.getAmount());
    if (event.getLocation() != null) {
      json.putObject("location")
          .put("lat", event.getLocation().getLat())
          .put("lng", event.getLocation().getLng());
    } else {
      json.putNull("location");
    }
    if (event.getDeviceInfo() != null) {
      json.putObject("device_info")
          .put("os", event.getDeviceInfo().getOs())
          .put("app_version", event.getDeviceInfo().getAppVersion());
    } else {
      json.putNull("device_info");
    }
    json.put("status", jsonName(event.getStatus()));
    json.put("commission_type", jsonName(event.getCommissionType()));
    json.put("commission_amount", event.getCommissionAmount());
    json.put("vat_amount", event.getVatAmount());
    json.put("total_amount", event.getTotalAmount());
    json.put("customer_type", jsonName(event.getCustomerType()));
    json.put("risk_level", event.getRiskLevel());
    json.put("failure_reason", event.getFailureReason());
    // v2 fields only when set: a v1 producer's JSON has none of them.
    for (String name : V2_FIELDS) {
      Object value = event.get(name);
      if (value != null) {
        json.put(name, value.toString());
      }
    }
    try {
      return MAPPER.writeValueAsBytes(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write JSON for " + event.getTransactionId(), e);
    }
  }

  public static PaymentEvent decode(byte[] bytes) throws InvalidPaymentException {
    JsonNode json;
    try {
      json = MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new InvalidPaymentException(UNPARSEABLE, "not JSON: " + firstLine(e.getMessage()), e);
    }
    if (json == null || !json.isObject()) {
      throw new InvalidPaymentException(UNPARSEABLE, "not a JSON object");
    }
    PaymentEvent.Builder payment =
        PaymentEvent.newBuilder()
            .setTransactionId(text(json, "transaction_id"))
            .setEventTime(timestamp(json))
            .setCustomerId(text(json, "customer_id"))
            .setMerchantId(text(json, "merchant_id"))
            .setMerchantCategory(enumValue(json, "merchant_category", MerchantCategory.class))
            .setPaymentMethod(enumValue(json, "payment_method", PaymentMethod.class))
            .setAmount(integer(json, "amount"))
            .setStatus(enumValue(json, "status", PaymentStatus.class))
            .setCommissionType(enumValue(json, "commission_type", CommissionType.class))
            .setCommissionAmount(integer(json, "commission_amount"))
            .setVatAmount(integer(json, "vat_amount"))
            .setTotalAmount(integer(json, "total_amount"))
            .setCustomerType(enumValue(json, "customer_type", CustomerType.class))
            .setRiskLevel(riskLevel(json))
            .setFailureReason(optionalText(json, "failure_reason"));
    JsonNode location = json.get("location");
    if (location != null && !location.isNull()) {
      payment.setLocation(new GeoLocation(number(location, "location.lat"), number(location, "location.lng")));
    }
    JsonNode device = json.get("device_info");
    if (device != null && !device.isNull()) {
      payment.setDeviceInfo(new DeviceInfo(text(device, "os"), text(device, "app_version")));
    }
    PaymentEvent event = payment.build();
    for (String name : V2_FIELDS) {
      event.put(name, optionalText(json, name));
    }
    return event;
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }

  /** Enum values on the wire are lower case, except acronyms the producers spell in capitals. */
  static String jsonName(Enum<?> value) {
    return value == CustomerType.CIP ? "CIP" : value.name().toLowerCase(Locale.ROOT);
  }

  private static JsonNode required(JsonNode json, String field) throws InvalidPaymentException {
    JsonNode node = json.get(field.substring(field.lastIndexOf('.') + 1));
    if (node == null || node.isNull()) {
      throw new InvalidPaymentException(MISSING_FIELD, field + " is missing");
    }
    return node;
  }

  private static String text(JsonNode json, String field) throws InvalidPaymentException {
    JsonNode node = required(json, field);
    if (!node.isTextual()) {
      throw new InvalidPaymentException(UNPARSEABLE, field + " is not a string");
    }
    if (node.asText().isBlank()) {
      throw new InvalidPaymentException(MISSING_FIELD, field + " is empty");
    }
    return node.asText();
  }

  private static String optionalText(JsonNode json, String field) throws InvalidPaymentException {
    JsonNode node = json.get(field);
    return node == null || node.isNull() ? null : text(json, field);
  }

  private static long integer(JsonNode json, String field) throws InvalidPaymentException {
    JsonNode node = required(json, field);
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      throw new InvalidPaymentException(UNPARSEABLE, field + " is not an integer: " + node);
    }
    return node.asLong();
  }

  private static int riskLevel(JsonNode json) throws InvalidPaymentException {
    long value = integer(json, "risk_level");
    if (value != (int) value) {
      throw new InvalidPaymentException(DeadLetterReason.OUT_OF_RANGE, "risk_level out of range: " + value);
    }
    return (int) value;
  }

  private static double number(JsonNode json, String field) throws InvalidPaymentException {
    JsonNode node = required(json, field);
    if (!node.isNumber()) {
      throw new InvalidPaymentException(UNPARSEABLE, field + " is not a number: " + node);
    }
    return node.asDouble();
  }

  private static long timestamp(JsonNode json) throws InvalidPaymentException {
    JsonNode node = required(json, "timestamp");
    if (node.isNumber()) {
      if (!node.isIntegralNumber() || !node.canConvertToLong()) {
        throw new InvalidPaymentException(INVALID_TIMESTAMP, "timestamp is not epoch milliseconds: " + node);
      }
      if (node.asLong() < MIN_EPOCH_MILLIS) {
        throw new InvalidPaymentException(
            INVALID_TIMESTAMP, "timestamp " + node.asLong() + " is not epoch milliseconds (epoch seconds?)");
      }
      return node.asLong();
    }
    if (!node.isTextual()) {
      throw new InvalidPaymentException(INVALID_TIMESTAMP, "timestamp is neither text nor a number: " + node);
    }
    try {
      return Instant.parse(node.asText()).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new InvalidPaymentException(INVALID_TIMESTAMP, "timestamp is not ISO-8601: " + node.asText(), e);
    }
  }

  private static <E extends Enum<E>> E enumValue(JsonNode json, String field, Class<E> type)
      throws InvalidPaymentException {
    String value = text(json, field);
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidPaymentException(UNKNOWN_ENUM, field + " has unknown value '" + value + "'");
    }
  }
}
