package dev.kamiverify;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** Public key parsing through KeyFactory; PKCS#1 keys are wrapped into SPKI first. */
final class RsaKeys {
  // AlgorithmIdentifier { rsaEncryption, NULL }
  private static final byte[] RSA_ALGORITHM = Codec.fromHex("300d06092a864886f70d0101010500");

  private RsaKeys() {}

  static RSAPublicKey parsePublicKey(String text) {
    String s = text.trim();
    boolean pkcs1 = s.contains("BEGIN RSA PUBLIC KEY");
    if (s.startsWith("-----")) {
      s = s.replaceAll("-----[A-Z ]+-----", "");
    }
    try {
      byte[] der = Base64.getMimeDecoder().decode(s.replaceAll("\\s", ""));
      if (pkcs1) {
        der = sequence(concat(RSA_ALGORITHM, tlv(0x03, concat(new byte[] {0}, der))));
      }
      return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      throw new IllegalArgumentException("not an RSA public key (PEM PUBLIC KEY, RSA PUBLIC KEY or base64 DER)", e);
    }
  }

  private static byte[] sequence(byte[] content) {
    return tlv(0x30, content);
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = content.length;
    if (n < 128) {
      out.write(n);
    } else if (n < 256) {
      out.write(0x81);
      out.write(n);
    } else {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n & 0xff);
    }
    out.write(content, 0, n);
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
