package dev.kamiverify;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;

/** What a client does with values and bodies in one encoding mode. Pure functions, thread safe. */
abstract class Codec {
  static final String STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  static final Codec PLAIN = new Codec() {
    @Override String mode() { return "plain"; }
    @Override String encodeValue(String value) { return value; }
    @Override String decodeResponse(String body) { return body; }
  };

  abstract String mode();

  /** Encodes one request value. RSA output is randomised: encode once, sign what you send. */
  abstract String encodeValue(String value);

  /** Turns a reply body into JSON text; throws IllegalArgumentException when it is not valid. */
  abstract String decodeResponse(String body);

  static String hexUpper(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    String digits = "0123456789ABCDEF";
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = digits.charAt((bytes[i] >> 4) & 15);
      out[2 * i + 1] = digits.charAt(bytes[i] & 15);
    }
    return new String(out);
  }

  static byte[] fromHex(String hex) {
    if (hex.length() % 2 != 0) {
      throw new IllegalArgumentException("odd hex length");
    }
    byte[] out = new byte[hex.length() / 2];
    for (int i = 0; i < out.length; i++) {
      int hi = Character.digit(hex.charAt(2 * i), 16);
      int lo = Character.digit(hex.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        throw new IllegalArgumentException("not hex");
      }
      out[i] = (byte) (hi << 4 | lo);
    }
    return out;
  }

  /** Refuses alphabets that are not 64 distinct printable ASCII characters other than '='. */
  static void validateAlphabet(String alphabet) {
    if (alphabet == null || alphabet.length() != 64) {
      throw new IllegalArgumentException("a base64 alphabet has exactly 64 characters");
    }
    boolean[] seen = new boolean[128];
    for (int i = 0; i < 64; i++) {
      char ch = alphabet.charAt(i);
      if (ch < 0x21 || ch > 0x7e || ch == '=') {
        throw new IllegalArgumentException("a base64 alphabet uses printable ASCII other than \"=\"");
      }
      if (seen[ch]) {
        throw new IllegalArgumentException("a base64 alphabet has no repeated characters");
      }
      seen[ch] = true;
    }
  }

  /** Alphabet-base64 with two lookup tables. */
  static final class Alphabet extends Codec {
    private final char[] toApp = new char[128];
    private final char[] toStd = new char[128];

    Alphabet(String alphabet) {
      validateAlphabet(alphabet);
      for (int i = 0; i < 64; i++) {
        toApp[STD.charAt(i)] = alphabet.charAt(i);
        toStd[alphabet.charAt(i)] = STD.charAt(i);
      }
    }

    @Override String mode() { return "base64"; }

    /** The response form: standard base64 of the UTF-8 text, translated; '=' kept. */
    String toAlphabet(String text) {
      char[] b64 = Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)).toCharArray();
      for (int i = 0; i < b64.length; i++) {
        if (b64[i] != '=') {
          b64[i] = toApp[b64[i]];
        }
      }
      return new String(b64);
    }

    @Override String encodeValue(String value) {
      return hexUpper(toAlphabet(value).getBytes(StandardCharsets.US_ASCII));
    }

    @Override String decodeResponse(String body) {
      char[] chars = body.trim().toCharArray();
      for (int i = 0; i < chars.length; i++) {
        char ch = chars[i];
        if (ch == '=') {
          continue;
        }
        if (ch >= 128 || toStd[ch] == 0) {
          throw new IllegalArgumentException("a character outside the alphabet");
        }
        chars[i] = toStd[ch];
      }
      return Utf8.decodeStrict(Base64.getDecoder().decode(new String(chars)));
    }
  }

  /** RSA mode: PKCS#1 v1.5 encryption of requests, type-1 recovery of replies. */
  static final class Rsa extends Codec {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final RSAPublicKey key;
    private final int k;

    Rsa(RSAPublicKey key) {
      this.key = key;
      this.k = (key.getModulus().bitLength() + 7) / 8;
    }

    @Override String mode() { return "rsa"; }

    @Override String encodeValue(String value) {
      byte[] data = value.getBytes(StandardCharsets.UTF_8);
      int chunk = k - 11;
      StringBuilder out = new StringBuilder();
      try {
        Cipher cipher = Cipher.getInstance("RSA/ECB/PKCS1Padding");
        cipher.init(Cipher.ENCRYPT_MODE, key, RANDOM);
        int offset = 0;
        do { // an empty value is one empty chunk
          int len = Math.min(chunk, data.length - offset);
          out.append(hexUpper(cipher.doFinal(data, offset, len)));
          offset += len;
        } while (offset < data.length);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("RSA encryption failed", e);
      }
      return out.toString();
    }

    /** c^e mod n per block, then the type-1 padding checked and stripped (protocol math). */
    @Override String decodeResponse(String body) {
      byte[] raw = Base64.getMimeDecoder().decode(body.trim());
      if (raw.length == 0 || raw.length % k != 0) {
        throw new IllegalArgumentException("the body is not a whole number of RSA blocks");
      }
      java.io.ByteArrayOutputStream plain = new java.io.ByteArrayOutputStream();
      for (int off = 0; off < raw.length; off += k) {
        BigInteger c = new BigInteger(1, Arrays.copyOfRange(raw, off, off + k));
        if (c.compareTo(key.getModulus()) >= 0) {
          throw new IllegalArgumentException("an RSA block is not below the modulus");
        }
        byte[] m = toFixed(c.modPow(key.getPublicExponent(), key.getModulus()), k);
        if (m[0] != 0 || m[1] != 1) {
          throw new IllegalArgumentException("bad type-1 padding");
        }
        int i = 2;
        while (i < k && m[i] == (byte) 0xff) {
          i++;
        }
        if (i < 10 || i >= k || m[i] != 0) {
          throw new IllegalArgumentException("bad type-1 padding");
        }
        plain.write(m, i + 1, k - i - 1);
      }
      return Utf8.decodeStrict(plain.toByteArray());
    }

    static byte[] toFixed(BigInteger v, int len) {
      byte[] b = v.toByteArray();
      if (b.length == len) {
        return b;
      }
      byte[] out = new byte[len];
      if (b.length > len) {
        System.arraycopy(b, b.length - len, out, 0, len);
      } else {
        System.arraycopy(b, 0, out, len - b.length, b.length);
      }
      return out;
    }
  }
}
