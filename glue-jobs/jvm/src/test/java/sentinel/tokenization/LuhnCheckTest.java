package sentinel.tokenization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LuhnCheckTest {
  private final LuhnCheck check = new LuhnCheck();

  /** Each digit's contribution when doubled (ISO/IEC 7812-1 annex B), written as a table, independently of Luhn. */
  private static final int[] DOUBLED = {0, 2, 4, 6, 8, 1, 3, 5, 7, 9};

  private static boolean definition(String digits) {
    int sum = 0;
    for (int position = 0; position < digits.length(); position++) {
      int digit = Character.digit(digits.charAt(digits.length() - 1 - position), 10);
      sum += position % 2 == 1 ? DOUBLED[digit] : digit;
    }
    return sum % 10 == 0;
  }

  @ParameterizedTest
  @ValueSource(strings = {"4111111111111111", "4000123412341234", "79927398713", "40001234562", "378282246310005", "6011111111111117", "0", "18", "00"})
  void validNumbersPass(String number) {
    assertEquals(Boolean.TRUE, check.call(number));
  }

  @ParameterizedTest
  @ValueSource(strings = {"4000123412341235", "79927398710", "3700000000000002", "1", "9", "10", "4111111111111112"})
  void invalidCheckDigitsFail(String number) {
    assertEquals(Boolean.FALSE, check.call(number));
  }

  @ParameterizedTest
  @ValueSource(strings = {"4111x11111111111", " 4111111111111111", "4111111111111111 ", "4111-1111-1111-1111", "+0", "-0", "٠", "４１１１１１１１１１１１１１１１", "0a"})
  void anythingButAsciiDigitsFails(String value) {
    // "٠" is ARABIC-INDIC DIGIT ZERO and the last value full-width digits: digits to Unicode, not to the rule
    assertEquals(Boolean.FALSE, check.call(value));
  }

  @Test
  void emptyFailsAndNullStaysNull() {
    assertEquals(Boolean.FALSE, check.call(""));
    assertNull(check.call(null));
  }

  @Test
  void agreesWithTheDefinitionAtEveryLengthAndAcceptsOneCheckDigitPerBody() {
    Random random = new Random(7812);
    for (int length = 1; length <= 40; length++) {
      for (int sample = 0; sample < 20; sample++) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < length - 1; i++) {
          body.append((char) ('0' + random.nextInt(10)));
        }
        int passing = 0;
        for (char last = '0'; last <= '9'; last++) {
          String number = body.toString() + last;
          boolean passes = check.call(number);
          assertEquals(definition(number), passes, number);
          passing += passes ? 1 : 0;
        }
        assertEquals(1, passing, body.toString());
      }
    }
  }

  @Test
  void isValidIsTheCheckFromTwoDigitsOn() {
    assertTrue(Luhn.passes("0"));
    assertFalse(Luhn.isValid("0"));
    assertTrue(Luhn.isValid("00"));
    assertEquals(Luhn.passes("79927398713"), Luhn.isValid("79927398713"));
  }
}
