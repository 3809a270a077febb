package sentinel.tokenization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HmacSha256TokenTest {
  private static final HexFormat HEX = HexFormat.of();

  private static byte[] repeat(int b, int n) {
    byte[] out = new byte[n];
    Arrays.fill(out, (byte) b);
    return out;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** RFC 4231 section 4: key, data, HMAC-SHA-256 (case 5 is published truncated to 128 bits). */
  static Stream<Arguments> rfc4231() {
    byte[] key4 = new byte[25];
    for (int i = 0; i < 25; i++) {
      key4[i] = (byte) (i + 1);
    }
    return Stream.of(
        Arguments.of(1, repeat(0x0b, 20), ascii("Hi There"), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        Arguments.of(2, ascii("Jefe"), ascii("what do ya want for nothing?"), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        Arguments.of(3, repeat(0xaa, 20), repeat(0xdd, 50), "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        Arguments.of(4, key4, repeat(0xcd, 50), "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        Arguments.of(5, repeat(0x0c, 20), ascii("Test With Truncation"), "a3b6167473100ee06e0c796c2955552b"),
        Arguments.of(6, repeat(0xaa, 131), ascii("Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        Arguments.of(7, repeat(0xaa, 131),
            ascii("This is a test using a larger than block-size key and a larger than block-size data."
                + " The key needs to be hashed before being used by the HMAC algorithm."),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"));
  }

  @ParameterizedTest(name = "RFC 4231 case {0}")
  @MethodSource("rfc4231")
  void matchesRfc4231(int testCase, byte[] key, byte[] data, String expected) throws Exception {
    String mac = HEX.formatHex(new HmacSha256Token(key, "v").digest(data));
    assertTrue(mac.startsWith(expected), mac);
    assertEquals(64, mac.length());
  }

  @Test
  void tokenIsKeyVersionAndHexOfTheUtf8Hmac() throws Exception {
    HmacSha256Token token = new HmacSha256Token(ascii("Jefe"), "2025-11");
    assertEquals("2025-11:5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        token.call("what do ya want for nothing?"));
    assertEquals(token.call("Zoë 中文"), "2025-11:" + HEX.formatHex(token.digest("Zoë 中文".getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void nullAndEmptyPassThrough() throws Exception {
    HmacSha256Token token = new HmacSha256Token(ascii("k"), "v");
    assertNull(token.call(null));
    assertEquals("", token.call(""));
  }

  @Test
  void utf8BytesFunctionGivesTheStringTokenAsBytes() throws Exception {
    HmacSha256Token token = new HmacSha256Token(ascii("Jefe"), "2025-11");
    for (String value : new String[] {"what do ya want for nothing?", "Zoë 中文", "🙂", "a"}) {
      byte[] out = token.onUtf8Bytes().call(value.getBytes(StandardCharsets.UTF_8));
      assertEquals(token.call(value), new String(out, StandardCharsets.UTF_8));
    }
    assertNull(token.onUtf8Bytes().call(null));
    assertEquals(0, token.onUtf8Bytes().call(new byte[0]).length);
    assertFalse(token.onUtf8Bytes().toString().contains("Jefe"));
  }

  @Test
  void toStringNeverShowsTheKey() {
    assertFalse(new HmacSha256Token(ascii("secret-key"), "v1").toString().contains("secret"));
  }
}
