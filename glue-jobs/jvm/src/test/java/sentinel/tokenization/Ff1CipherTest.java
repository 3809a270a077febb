package sentinel.tokenization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class Ff1CipherTest {
  private static final String DECIMAL = "0123456789";
  private static final String BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz";
  private static final String AES128 = "2B7E151628AED2A6ABF7158809CF4F3C";
  private static final String AES192 = "2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F";
  private static final String AES256 = "2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F7F036D6F04FC6A94";
  private static final String TWEAK_10 = "39383736353433323130";
  private static final String TWEAK_36 = "3737373770717273373737";

  /** NIST's FF1 samples (SP 800-38G examples, FF1samples.pdf): samples 1-9, radix 10 and 36. */
  static Stream<Arguments> nistSamples() {
    return Stream.of(
        Arguments.of(1, AES128, "", DECIMAL, "0123456789", "2433477484"),
        Arguments.of(2, AES128, TWEAK_10, DECIMAL, "0123456789", "6124200773"),
        Arguments.of(3, AES128, TWEAK_36, BASE36, "0123456789abcdefghi", "a9tv40mll9kdu509eum"),
        Arguments.of(4, AES192, "", DECIMAL, "0123456789", "2830668132"),
        Arguments.of(5, AES192, TWEAK_10, DECIMAL, "0123456789", "2496655549"),
        Arguments.of(6, AES192, TWEAK_36, BASE36, "0123456789abcdefghi", "xbj3kv35jrawxv32ysr"),
        Arguments.of(7, AES256, "", DECIMAL, "0123456789", "6657667009"),
        Arguments.of(8, AES256, TWEAK_10, DECIMAL, "0123456789", "1001623463"),
        Arguments.of(9, AES256, TWEAK_36, BASE36, "0123456789abcdefghi", "xs8a0azh2avyalyzuwd"));
  }

  @ParameterizedTest(name = "NIST FF1 sample {0}")
  @MethodSource("nistSamples")
  void matchesNistSamples(int sample, String key, String tweak, String alphabet, String plaintext, String ciphertext) {
    Ff1Cipher cipher = new Ff1Cipher(HexFormat.of().parseHex(key), HexFormat.of().parseHex(tweak), alphabet);
    assertEquals(ciphertext, cipher.encrypt(plaintext));
    assertEquals(plaintext, cipher.decrypt(ciphertext));
  }

  @Test
  void minimumLengthKeepsTheDomainAtLeastOneMillion() {
    assertEquals(6, Ff1Cipher.minimumLength(10));
    assertEquals(20, Ff1Cipher.minimumLength(2));
    assertEquals(4, Ff1Cipher.minimumLength(36));
    assertEquals(3, Ff1Cipher.minimumLength(100));
    assertEquals(3, Ff1Cipher.minimumLength(256));
  }

  @Test
  void refusesShortValuesAndForeignCharactersWithoutEchoingThem() {
    Ff1Cipher cipher = new Ff1Cipher(new byte[32], new byte[0], DECIMAL);
    IllegalArgumentException shortValue = assertThrows(IllegalArgumentException.class, () -> cipher.encrypt("12345"));
    assertEquals("FF1 needs at least 6 characters from the column's alphabet, got 5 characters", shortValue.getMessage());
    IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class, () -> cipher.encrypt("12345x78"));
    assertEquals("FF1 needs at least 6 characters from the column's alphabet, got 8 characters with some outside it", foreign.getMessage());
  }

  @Test
  void refusesRepeatedOrOversizedAlphabets() {
    assertThrows(IllegalArgumentException.class, () -> new Ff1Cipher(new byte[32], new byte[0], "0112"));
    assertThrows(IllegalArgumentException.class, () -> new Ff1Cipher(new byte[32], new byte[0], "x"));
  }
}
