package dev.kamiverify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;

/** Jackson in one place: numbers keep their exact text, trailing garbage is refused. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Json() {}

  /** Parses one JSON value, or null when the text is not exactly one JSON value. */
  static JsonNode parse(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException | RuntimeException e) {
      return null;
    }
  }

  /** A field as text, like JavaScript's String(v): "" when absent or null. */
  static String text(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return "";
    }
    if (v.isTextual()) {
      return v.textValue();
    }
    if (v.isBigDecimal()) {
      return v.decimalValue().stripTrailingZeros().toPlainString();
    }
    if (v.isNumber()) {
      return v.numberValue().toString();
    }
    if (v.isBoolean()) {
      return String.valueOf(v.booleanValue());
    }
    return v.toString();
  }

  static boolean present(JsonNode obj, String name) {
    JsonNode v = obj.get(name);
    return v != null && !v.isNull();
  }

  /** A numeric field (a number, or a string holding one); null when not numeric. */
  static BigDecimal number(JsonNode v) {
    if (v == null) {
      return null;
    }
    try {
      if (v.isNumber()) {
        return v.decimalValue();
      }
      if (v.isTextual()) {
        return new BigDecimal(v.textValue().trim());
      }
    } catch (NumberFormatException e) {
      return null;
    }
    return null;
  }

  static long longValue(JsonNode v) {
    BigDecimal d = number(v);
    if (d == null) {
      return 0;
    }
    try {
      return d.setScale(0, java.math.RoundingMode.DOWN).longValueExact();
    } catch (ArithmeticException e) {
      return 0;
    }
  }
}
