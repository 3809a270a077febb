package sentinel.tokenization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UtcTimestampMicrosTest {
  private static Long micros(String text) {
    return new UtcTimestampMicros().call(text == null ? null : text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void canonicalUtcTimestampsGiveTheirInstantInMicroseconds() {
    assertEquals(0L, micros("1970-01-01T00:00:00Z"));
    assertEquals(1_735_689_601_000_000L, micros("2025-01-01T00:00:01Z"));
    assertEquals(-1_000_000L, micros("1969-12-31T23:59:59Z"));
    assertEquals(Instant.parse("2024-02-29T12:34:56Z").getEpochSecond() * 1_000_000L, micros("2024-02-29T12:34:56Z"));
    Random random = new Random(7);
    for (int i = 0; i < 2000; i++) {
      Instant instant = Instant.ofEpochSecond(random.nextLong() % 100_000_000_000L).truncatedTo(ChronoUnit.SECONDS);
      String text = instant.toString();
      if (text.length() == 20) {
        assertEquals(instant.getEpochSecond() * 1_000_000L, micros(text), text);
      }
    }
  }

  @Test
  void anythingElseIsLeftToSparksCast() {
    for (String text : new String[] {
        null, "", "2025-01-01T00:00:01", "2025-01-01 00:00:01Z", "2025-01-01T00:00:01+00:00", "2025-01-01T00:00:01.5Z",
        " 2025-01-01T00:00:01Z", "2025-01-01T00:00:01z", "2025-1-01T00:00:01Zx", "2025-01-01T0a:00:01Z", "+025-01-01T00:00:01Z",
        "2025-02-30T00:00:00Z", "2025-13-01T00:00:00Z", "2025-01-01T24:00:00Z", "2025-01-01T23:60:00Z", "2025-01-01T23:59:60Z",
        "2025-00-10T00:00:00Z", "2025-01-00T00:00:00Z", "2025-01-01T00:00:01Ö"}) {
      assertNull(micros(text), text);
    }
  }
}
