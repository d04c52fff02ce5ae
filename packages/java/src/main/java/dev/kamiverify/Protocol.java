package dev.kamiverify;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/** The protocol math: signing, form bodies, tokens. Pure functions. */
final class Protocol {
  private Protocol() {}

  static String md5Hex(String text) {
    try {
      byte[] sum = MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8));
      StringBuilder b = new StringBuilder(32);
      for (byte x : sum) {
        b.append(Character.forDigit((x >> 4) & 15, 16)).append(Character.forDigit(x & 15, 16));
      }
      return b.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required by the Java platform", e);
    }
  }

  /** {@code k1=v1&...&t=T&APPKEY}: every field but s, in order, values as sent. */
  static String signText(List<Param> fields, String appKey) {
    StringBuilder b = new StringBuilder();
    for (Param f : fields) {
      if (!f.name().equals("s")) {
        b.append(f.name()).append('=').append(f.value()).append('&');
      }
    }
    return b.append(appKey).toString();
  }

  /** The fields to send (values encoded once, t and s appended) and the sign text. */
  static final class Signed {
    final List<Param> fields;
    final String signText;

    Signed(List<Param> fields, String signText) {
      this.fields = fields;
      this.signText = signText;
    }
  }

  static Signed sign(List<Param> params, String appKey, Codec codec, long t) {
    List<Param> fields = new ArrayList<>(params.size() + 2);
    for (Param p : params) {
      fields.add(Param.of(p.name(), codec.encodeValue(p.value())));
    }
    fields.add(Param.of("t", codec.encodeValue(Long.toString(t))));
    String text = signText(fields, appKey);
    fields.add(Param.of("s", codec.encodeValue(md5Hex(text))));
    return new Signed(fields, text);
  }

  /** x-www-form-urlencoded like encodeURIComponent (space as %20), so every SDK sends the same bytes. */
  static String formBody(List<Param> fields) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        b.append('&');
      }
      escape(b, fields.get(i).name());
      b.append('=');
      escape(b, fields.get(i).value());
    }
    return b.toString();
  }

  private static void escape(StringBuilder b, String s) {
    String digits = "0123456789ABCDEF";
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (x & 0xff);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-_.!~*'()".indexOf(c) >= 0) {
        b.append(c);
      } else {
        b.append('%').append(digits.charAt(c >> 4)).append(digits.charAt(c & 15));
      }
    }
  }

  /** md5(id + appKey + signText + endTime + date); signText is "" for the basic formula. */
  static String loginToken(String id, String appKey, String signText, String endTime, String date) {
    return md5Hex(id + appKey + signText + endTime + date);
  }

  /** md5(token + time), time as sent. */
  static String statecode(String token, String time) {
    return md5Hex(token + time);
  }

  static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  /** potatocloud signature v1: md5(signSecret + timeMs). */
  static String potatoSign(String signSecret, long timeMs) {
    return md5Hex(signSecret + timeMs);
  }
}
