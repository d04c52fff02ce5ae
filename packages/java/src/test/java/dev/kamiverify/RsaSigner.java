package dev.kamiverify;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The server side of RSA replies (test only): type-1 padding, m^d mod n, with the test key. */
final class RsaSigner {
  private RsaSigner() {}

  static String encryptPrivate(String text) {
    com.fasterxml.jackson.databind.JsonNode key = VectorsTest.read("rsa-test-key.json");
    BigInteger n = new BigInteger(key.get("nHex").asText(), 16);
    BigInteger d = new BigInteger(key.get("dHex").asText(), 16);
    byte[] data = text.getBytes(StandardCharsets.UTF_8);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int off = 0;
    do {
      int len = Math.min(117, data.length - off);
      byte[] block = new byte[128];
      block[1] = 1;
      for (int i = 2; i < 128 - len - 1; i++) {
        block[i] = (byte) 0xff;
      }
      System.arraycopy(data, off, block, 128 - len, len);
      byte[] c = Codec.Rsa.toFixed(new BigInteger(1, block).modPow(d, n), 128);
      out.write(c, 0, 128);
      off += len;
    } while (off < data.length);
    return Base64.getEncoder().encodeToString(out.toByteArray());
  }
}
