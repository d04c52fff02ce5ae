package dev.kamiverify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A decoded T3 reply, whatever its code; results expose it as {@code raw()}. */
public final class Reply {
  private final ObjectNode fields;
  private final int httpStatus;
  private final String signText;
  private final String retryAfter;

  Reply(ObjectNode fields, int httpStatus, String signText, String retryAfter) {
    this.fields = fields;
    this.httpStatus = httpStatus;
    this.signText = signText;
    this.retryAfter = retryAfter;
  }

  /** The decoded JSON object (a copy: replies are immutable). */
  public ObjectNode fields() { return fields.deepCopy(); }

  /** A field as text ("" when absent or null); numbers keep their exact text. */
  public String text(String name) { return Json.text(fields.get(name)); }

  /** The HTTP status. */
  public int httpStatus() { return httpStatus; }

  /** The request's pre-hash sign text (the two-way token includes it). Contains the APPKEY: never log it. */
  public String signText() { return signText; }

  JsonNode get(String name) { return fields.get(name); }

  boolean has(String name) { return Json.present(fields, name); }

  String retryAfterHeader() { return retryAfter; }

  @Override public String toString() { return "Reply" + fields; }
}
