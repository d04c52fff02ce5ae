package dev.kamiverify;

/** A value computed outside Java: node -e "crypto.createHmac('md5','kami-verify').update('abc')". */
final class NodeHmac {
  static final String EXPECTED = "71F4C21693404B1282805C8C6B7CBDFA";

  private NodeHmac() {}
}
