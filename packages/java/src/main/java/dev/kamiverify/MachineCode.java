package dev.kamiverify;

import java.io.IOException;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A machine code for desktop JVMs: stable across runs, derived from the OS machine id (Linux
 * /etc/machine-id, macOS IOPlatformUUID, Windows MachineGuid), else the first hardware MAC, else
 * the host name; HMAC'd with an app-specific salt so the raw id never leaves the machine and two
 * vendors cannot link users. Uppercase hex; the same machine and salt give the same code as the
 * Go and Node SDKs. {@code KAMI_MACHINE_CODE} pins it. Android apps pass their own id instead
 * (for example {@code Settings.Secure.ANDROID_ID}, which is already per app and signing key).
 */
public final class MachineCode {
  /** The environment variable that pins the machine code (containers, CI, cloned VMs). */
  public static final String ENV = "KAMI_MACHINE_CODE";
  /** The salt used when none is given. */
  public static final String DEFAULT_SALT = "kami-verify";
  private static final Pattern MACHINE_ID =
      Pattern.compile("^([0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$");
  private static volatile String rawId;

  private MachineCode() {}

  /** md5-HMAC machine code with this salt (32 hex), unless {@link #ENV} pins one. */
  public static String of(String salt) {
    String pinned = System.getenv(ENV);
    if (pinned != null && !pinned.trim().isEmpty()) {
      if (pinned.contains("'")) {
        throw KamiException.validation(ENV, ENV + " must not contain ' (机器码不合法,因为存在'号)");
      }
      return pinned.trim();
    }
    String raw = rawId;
    if (raw == null) { // the OS id cannot change while the process runs: probe once
      raw = readRawId();
      rawId = raw;
    }
    return salted(raw, salt, false);
  }

  static String salted(String raw, String salt, boolean sha256) {
    String algorithm = sha256 ? "HmacSHA256" : "HmacMD5";
    try {
      Mac mac = Mac.getInstance(algorithm);
      String s = salt == null || salt.isEmpty() ? DEFAULT_SALT : salt;
      mac.init(new SecretKeySpec(s.getBytes(StandardCharsets.UTF_8), algorithm));
      return Codec.hexUpper(mac.doFinal(raw.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " is required by the Java platform", e);
    }
  }

  static String parseMachineIdFile(String text) {
    String v = text.trim().toLowerCase(Locale.ROOT);
    if (!MACHINE_ID.matcher(v).matches() || v.replaceAll("[0-]", "").isEmpty()) {
      return "";
    }
    return v;
  }

  private static String readRawId() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    if (os.contains("mac")) {
      Matcher m = Pattern.compile("\"IOPlatformUUID\"\\s*=\\s*\"([^\"]+)\"").matcher(run("ioreg", "-rd1", "-c", "IOPlatformExpertDevice"));
      if (m.find()) {
        return m.group(1).trim().toLowerCase(Locale.ROOT);
      }
    } else if (os.contains("win")) {
      Matcher m = Pattern.compile("MachineGuid\\s+REG_SZ\\s+([0-9a-fA-F-]{32,36})").matcher(
          run("reg", "query", "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography", "/v", "MachineGuid", "/reg:64"));
      if (m.find()) {
        return m.group(1).toLowerCase(Locale.ROOT);
      }
    } else {
      for (String path : new String[] {"/etc/machine-id", "/var/lib/dbus/machine-id", "/etc/hostid"}) {
        try {
          String id = parseMachineIdFile(new String(Files.readAllBytes(Paths.get(path)), StandardCharsets.UTF_8));
          if (!id.isEmpty()) {
            return id;
          }
        } catch (IOException | RuntimeException ignored) {
          // next source
        }
      }
    }
    String mac = pickMac();
    if (!mac.isEmpty()) {
      return mac;
    }
    try {
      String host = java.net.InetAddress.getLocalHost().getHostName().trim().toLowerCase(Locale.ROOT);
      return host.isEmpty() ? "localhost" : host;
    } catch (IOException e) {
      return "localhost";
    }
  }

  /** Not loopback, non-zero, sorted by name, universally administered addresses first. */
  private static String pickMac() {
    try {
      List<NetworkInterface> list = new ArrayList<>(Collections.list(NetworkInterface.getNetworkInterfaces()));
      list.sort((a, b) -> a.getName().compareTo(b.getName()));
      String local = "";
      for (NetworkInterface it : list) {
        byte[] mac = it.getHardwareAddress();
        if (it.isLoopback() || mac == null || mac.length != 6 || java.util.Arrays.equals(mac, new byte[6])) {
          continue;
        }
        StringBuilder b = new StringBuilder();
        for (byte x : mac) {
          b.append(b.length() > 0 ? ":" : "").append(String.format("%02x", x & 0xff));
        }
        if ((mac[0] & 2) == 0) {
          return b.toString();
        }
        if (local.isEmpty()) {
          local = b.toString();
        }
      }
      return local;
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  // Probing must never hang an app's start-up: a wedged ioreg or reg gets two seconds.
  private static String run(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      if (!p.waitFor(2, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "";
      }
      return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException | InterruptedException e) {
      return "";
    }
  }
}
