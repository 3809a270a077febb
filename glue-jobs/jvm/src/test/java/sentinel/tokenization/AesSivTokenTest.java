package sentinel.tokenization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.crypto.tink.daead.subtle.DeterministicAeads;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AesSivTokenTest {
  private static final HexFormat HEX = HexFormat.of();

  private static byte[] hex(String s) {
    return HEX.parseHex(s.replace(" ", ""));
  }

  /** RFC 5297 appendix A: key, plaintext, output (SIV || ciphertext), then the associated data components. */
  static Stream<Arguments> rfc5297() {
    return Stream.of(
        // A.1: deterministic authenticated encryption, one associated data component (the shape AesSivToken uses)
        Arguments.of(
            "fffefdfc fbfaf9f8 f7f6f5f4 f3f2f1f0 f0f1f2f3 f4f5f6f7 f8f9fafb fcfdfeff",
            "11223344 55667788 99aabbcc ddee",
            "85632d07 c6e8f37f 950acd32 0a2ecc93 40c02b96 90c4dc04 daef7f6a fe5c",
            List.of("10111213 14151617 18191a1b 1c1d1e1f 20212223 24252627")),
        // A.2: nonce-based, two associated data components and the nonce as the last component
        Arguments.of(
            "7f7e7d7c 7b7a7978 77767574 73727170 40414243 44454647 48494a4b 4c4d4e4f",
            "74686973 20697320 736f6d65 20706c61 696e7465 78742074 6f20656e 63727970 74207573 696e6720 5349562d 414553",
            "7bdb6e3b 432667eb 06f4d14b ff2fbd0f cb900f2f ddbe4043 26601965 c889bf17 dba77ceb 094fa663"
                + " b7a3f748 ba8af829 ea64ad54 4a272e9c 485b62a3 fd5c0d",
            List.of(
                "00112233 44556677 8899aabb ccddeeff deaddada deaddada ffeeddcc bbaa9988 77665544 33221100",
                "10203040 50607080 90a0",
                "09f91102 9d74e35b d84156c5 635688c0")));
  }

  @ParameterizedTest(name = "RFC 5297 {index}")
  @MethodSource("rfc5297")
  void rfc5297Examples(String key, String plaintext, String expected, List<String> associatedData) throws Exception {
    DeterministicAeads siv = AesSivToken.create(hex(key));
    byte[][] ad = associatedData.stream().map(AesSivTokenTest::hex).toArray(byte[][]::new);
    assertArrayEquals(hex(expected), siv.encryptDeterministicallyWithAssociatedDatas(hex(plaintext), ad));
    assertArrayEquals(hex(plaintext), siv.decryptDeterministicallyWithAssociatedDatas(hex(expected), ad));
    if (ad.length == 1) {
      // the single-component calls AesSivToken makes
      assertArrayEquals(hex(expected), siv.encryptDeterministically(hex(plaintext), ad[0]));
      assertArrayEquals(hex(plaintext), siv.decryptDeterministically(hex(expected), ad[0]));
    }
  }

  private static byte[] key() {
    byte[] key = new byte[AesSivToken.KEY_BYTES];
    new Random(5297).nextBytes(key);
    return key;
  }

  @Test
  void tokensAreDeterministicVersionedAndReversible() throws Exception {
    AesSivToken seal = AesSivToken.sealing(key(), "2025-11", "first_name");
    AesSivToken open = AesSivToken.opening(key(), "2025-11", "first_name");
    String token = seal.call("Zoë");
    assertTrue(token.startsWith("2025-11:"));
    assertEquals(token, seal.call("Zoë"));
    assertNotEquals(token, seal.call("Zoe"));
    assertEquals("Zoë", open.call(token));
    assertNull(seal.call(null));
    assertEquals("", seal.call(""));
  }

  @Test
  void tokensAreBoundToTheirColumnKeyAndVersion() throws Exception {
    String token = AesSivToken.sealing(key(), "2025-11", "first_name").call("Ann");
    assertThrows(GeneralSecurityException.class, () -> AesSivToken.opening(key(), "2025-11", "last_name").call(token));
    assertThrows(GeneralSecurityException.class, () -> AesSivToken.opening(key(), "2026-01", "first_name").call(token));
    byte[] other = key();
    other[0] ^= 1;
    assertThrows(GeneralSecurityException.class, () -> AesSivToken.opening(other, "2025-11", "first_name").call(token));
  }

  @Test
  void refusesKeysOfAnotherSize() {
    assertThrows(IllegalArgumentException.class, () -> AesSivToken.sealing(new byte[32], "v", "c"));
  }
}
