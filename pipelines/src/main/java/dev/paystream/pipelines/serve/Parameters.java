package dev.paystream.pipelines.serve;

import dev.paystream.schemas.StatsDimension;
import dev.paystream.transforms.validate.PaymentRules;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Optional;

/**
 * Checks of the request parameters, each failing with a 400 whose message names the parameter,
 * the rule and the value received.
 */
final class Parameters {
  /** Longest id accepted: the pipeline dead-letters payments with longer ids, so none is stored. */
  static final int MAX_ID_LENGTH = PaymentRules.MAX_ID_LENGTH;

  private Parameters() {}

  /** A customer or transaction id: 1 to {@value #MAX_ID_LENGTH} characters, none a control character. */
  static String id(String name, String value) {
    if (value.isEmpty() || value.length() > MAX_ID_LENGTH || value.chars().anyMatch(Character::isISOControl)) {
      throw HttpError.badRequest(
          name + " must be 1 to " + MAX_ID_LENGTH + " characters without control characters, got "
              + value.length() + " characters");
    }
    return value;
  }

  /** A page size: an integer from 1 to {@code max}, {@code fallback} when absent. */
  static int limit(Optional<String> value, int fallback, int max) {
    if (value.isEmpty()) {
      return fallback;
    }
    try {
      int limit = Integer.parseInt(value.get());
      if (limit >= 1 && limit <= max) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // reported below with the range
    }
    throw HttpError.badRequest("limit must be an integer from 1 to " + max + ", got '" + shorten(value.get()) + "'");
  }

  /** An ISO-8601 instant such as {@code 2026-11-29T12:00:00Z}, {@code fallback} when absent. */
  static Instant instant(String name, Optional<String> value, Instant fallback) {
    if (value.isEmpty()) {
      return fallback;
    }
    try {
      return Instant.parse(value.get());
    } catch (DateTimeParseException e) {
      throw HttpError.badRequest(
          name + " must be an ISO-8601 instant such as 2026-11-29T12:00:00Z, got '" + shorten(value.get()) + "'");
    }
  }

  static StatsDimension dimension(Optional<String> value) {
    String text = required("dimension", value);
    try {
      return StatsDimension.valueOf(text);
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest(
          "dimension must be one of " + Arrays.toString(StatsDimension.values()) + ", got '" + shorten(text) + "'");
    }
  }

  static String required(String name, Optional<String> value) {
    return value.orElseThrow(() -> HttpError.badRequest("parameter '" + name + "' is required"));
  }

  /** A value echoed in an error message, cut so a huge parameter does not make a huge response. */
  private static String shorten(String value) {
    return value.length() <= 64 ? value : value.substring(0, 64) + "...";
  }
}
