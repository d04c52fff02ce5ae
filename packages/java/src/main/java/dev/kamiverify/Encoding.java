package dev.kamiverify;

import java.util.Objects;

/**
 * An app's value encoding (the app setting 加密方式): {@link #plain()}, {@link #base64(String)} or
 * {@link #rsa(String)}. Immutable; invalid alphabets or keys fail when the client is built.
 */
public final class Encoding {
  final String mode;
  final String alphabet;
  final String publicKey;

  private Encoding(String mode, String alphabet, String publicKey) {
    this.mode = mode;
    this.alphabet = alphabet;
    this.publicKey = publicKey;
  }

  /** Values sent as they are, plain JSON replies (the default). */
  public static Encoding plain() {
    return new Encoding("plain", null, null);
  }

  /**
   * Alphabet-base64: values are UTF-8 → standard base64 → the app's 64-character alphabet, sent as
   * uppercase hex; replies come back in the alphabet.
   */
  public static Encoding base64(String alphabet) {
    return new Encoding("base64", Objects.requireNonNull(alphabet, "alphabet"), null);
  }

  /**
   * RSA: values are encrypted with the app's public key (PKCS#1 v1.5; PEM {@code PUBLIC KEY} or
   * {@code RSA PUBLIC KEY}, or bare base64 DER); replies are recovered with the same key.
   */
  public static Encoding rsa(String publicKeyPem) {
    return new Encoding("rsa", null, Objects.requireNonNull(publicKeyPem, "publicKeyPem"));
  }

  /** plain, base64 or rsa. */
  public String mode() {
    return mode;
  }

  Codec codec() {
    switch (mode) {
      case "base64":
        return new Codec.Alphabet(alphabet);
      case "rsa":
        return new Codec.Rsa(RsaKeys.parsePublicKey(publicKey));
      default:
        return Codec.PLAIN;
    }
  }
}
