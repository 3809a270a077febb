package sentinel.tokenization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Ff1TokenTest {
  private static final String DIGITS = "0123456789";
  private static final byte[] KEY = new byte[32];
  private static final byte[] TWEAK = "sentinel:account_number".getBytes(StandardCharsets.UTF_8);

  static {
    new Random(7).nextBytes(KEY);
  }

  private static String luhnValidPan(Random random, int length) {
    StringBuilder payload = new StringBuilder("4000");
    while (payload.length() < length - 1) {
      payload.append((char) ('0' + random.nextInt(10)));
    }
    return payload.toString() + Luhn.checkDigit(payload);
  }

  @Test
  void luhnCheckDigitsOfKnownCardNumbers() {
    assertTrue(Luhn.isValid("4111111111111111"));
    assertTrue(Luhn.isValid("4000123412341234"));
    assertTrue(Luhn.isValid("79927398713"));
    assertFalse(Luhn.isValid("79927398710"));
    assertFalse(Luhn.isValid("3700000000000002"));
    assertFalse(Luhn.isValid("4111x11111111111"));
    assertEquals(3, Luhn.checkDigit("7992739871"));
  }

  @Test
  void tokensKeepPrefixLengthAndAlphabetAndRoundTrip() {
    Ff1Token encrypt = Ff1Token.encrypting(KEY, TWEAK, DIGITS, 4, false);
    Ff1Token decrypt = Ff1Token.decrypting(KEY, TWEAK, DIGITS, 4, false);
    String token = encrypt.call("4000123412341234");
    assertEquals(16, token.length());
    assertTrue(token.startsWith("4000") && token.chars().allMatch(Character::isDigit));
    assertNotEquals("4000123412341234", token);
    assertEquals(token, encrypt.call("4000123412341234"));
    assertEquals("4000123412341234", decrypt.call(token));
    assertNull(encrypt.call(null));
    assertEquals("", encrypt.call(""));
  }

  @Test
  void theTweakSeparatesColumns() {
    String a = Ff1Token.encrypting(KEY, TWEAK, DIGITS, 0, false).call("1234567890");
    String b = Ff1Token.encrypting(KEY, "sentinel:other".getBytes(StandardCharsets.UTF_8), DIGITS, 0, false).call("1234567890");
    assertNotEquals(a, b);
  }

  @Test
  void luhnFailingTokensNeverPassTheCheckAndRoundTrip() {
    Ff1Token encrypt = Ff1Token.encrypting(KEY, TWEAK, DIGITS, 4, true);
    Ff1Token decrypt = Ff1Token.decrypting(KEY, TWEAK, DIGITS, 4, true);
    Random random = new Random(20250101);
    Map<String, String> tokenOf = new HashMap<>();
    Map<String, String> panOf = new HashMap<>();
    for (int i = 0; i < 10_000; i++) {
      String pan = luhnValidPan(random, 12 + random.nextInt(8));
      String token = encrypt.call(pan);
      assertFalse(Luhn.isValid(token), token);
      assertEquals(pan.length(), token.length());
      assertEquals("4000", token.substring(0, 4));
      assertTrue(token.chars().allMatch(Character::isDigit));
      assertEquals(pan, decrypt.call(token));
      assertEquals(token, encrypt.call(pan));
      String earlier = panOf.putIfAbsent(token, pan);
      assertTrue(earlier == null || earlier.equals(pan), "two card numbers share a token");
      tokenOf.put(pan, token);
    }
    assertTrue(tokenOf.size() > 9_900);
  }

  @Test
  void luhnFailingTokensRefuseInvalidCardNumbersAndForeignTokens() {
    Ff1Token encrypt = Ff1Token.encrypting(KEY, TWEAK, DIGITS, 4, true);
    Ff1Token decrypt = Ff1Token.decrypting(KEY, TWEAK, DIGITS, 4, true);
    assertThrows(IllegalArgumentException.class, () -> encrypt.call("3700000000000002"));
    String token = encrypt.call("4000123412341234");
    String altered = token.substring(0, 15) + (char) ('0' + (token.charAt(15) - '0' + 1) % 10);
    assertThrows(IllegalArgumentException.class, () -> decrypt.call(altered));
    assertThrows(IllegalArgumentException.class, () -> Ff1Token.encrypting(KEY, TWEAK, "0123456789abcdef", 0, true));
  }

  @Test
  void minimumValueLengths() {
    assertEquals(10, Ff1Token.minimumValueLength(10, 4, false));
    assertEquals(11, Ff1Token.minimumValueLength(10, 4, true));
    Ff1Token encrypt = Ff1Token.encrypting(KEY, TWEAK, DIGITS, 4, true);
    IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class, () -> encrypt.call("4000123455"));
    assertFalse(tooShort.getMessage().contains("4000123455"));
  }
}
