package dev.kamiverify;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.util.Optional;
import java.util.regex.Pattern;

/** Beijing time as the wire uses it: a fixed UTC+8 (no zone database, no DST). */
public final class BeijingTime {
  private static final ZoneOffset UTC8 = ZoneOffset.ofHours(8);
  private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("uuuuMMddHHmm");
  private static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withResolverStyle(ResolverStyle.STRICT);
  private static final Pattern SHAPE = Pattern.compile("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}");

  private BeijingTime() {}

  /** The {@code date} field form, yyyyMMddHHmm. */
  public static String minute(long epochSeconds) {
    return LocalDateTime.ofEpochSecond(epochSeconds, 0, UTC8).format(MINUTE);
  }

  /** The {@code end_time} form, yyyy-MM-dd HH:mm:ss. */
  public static String dateTime(long epochSeconds) {
    return LocalDateTime.ofEpochSecond(epochSeconds, 0, UTC8).format(DATE_TIME);
  }

  /** Parses an {@code end_time}; empty for a wrong shape or impossible values (never normalised). */
  public static Optional<Instant> parse(String text) {
    if (text == null || !SHAPE.matcher(text).matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(LocalDateTime.parse(text, DATE_TIME).toInstant(UTC8));
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }
}
