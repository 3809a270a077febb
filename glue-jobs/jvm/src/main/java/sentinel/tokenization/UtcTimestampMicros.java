package sentinel.tokenization;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.apache.spark.sql.api.java.UDF1;

/**
 * Validation's fast path for the canonical UTC timestamp {@code yyyy-MM-ddTHH:mm:ssZ} (exactly 20 ASCII
 * bytes): its microseconds since the epoch, or null for any other text and for a date or time that does
 * not exist (2025-02-30, 24:00:00). The job turns a non-null result into a timestamp and casts everything
 * else with Spark's own cast, so a value's verdict and typed value are the cast's.
 *
 * <p>Why: Spark's string-to-timestamp cast resolves the zone of every value that names one, and resolving
 * {@code Z} compiles two regular expressions per value ({@code getZoneId}'s {@code replaceFirst}); that was
 * most of the cost of the cast and about a tenth of the validation stage. Works on UTF-8 bytes (a binary
 * column reaches a Java function unconverted). Holds no key.
 */
public final class UtcTimestampMicros implements UDF1<byte[], Long> {
  private static final long serialVersionUID = 1L;
  private static final int LENGTH = 20;

  @Override
  public Long call(byte[] text) {
    if (text == null || text.length != LENGTH || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':'
        || text[16] != ':' || text[19] != 'Z') {
      return null;
    }
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 2);
    int day = digits(text, 8, 2);
    int hour = digits(text, 11, 2);
    int minute = digits(text, 14, 2);
    int second = digits(text, 17, 2);
    if ((year | month | day | hour | minute | second) < 0) {
      return null;
    }
    try {
      return LocalDateTime.of(year, month, day, hour, minute, second).toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
    } catch (DateTimeException e) {
      return null; // no such date or time: the cast decides (it gives null too)
    }
  }

  /** The decimal number in {@code text[from, from + count)}, or -1 when a byte there is not an ASCII digit. */
  private static int digits(byte[] text, int from, int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      int digit = text[i] - '0';
      if (digit < 0 || digit > 9) {
        return -1;
      }
      value = value * 10 + digit;
    }
    return value;
  }
}
