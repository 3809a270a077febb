package sentinel.tokenization;

/** The ISO/IEC 7812-1 (Luhn mod 10) check digit of card numbers. */
public final class Luhn {
  private Luhn() {}

  /** True when every character is a digit and the last one is the Luhn check digit of the others. */
  public static boolean isValid(CharSequence number) {
    return number.length() >= 2 && passes(number);
  }

  /**
   * The Luhn check itself, at any length from one digit: from the right, every second digit doubled
   * (minus 9 above 9), the sum a multiple of 10. False when the sequence is empty or holds a character
   * other than the ASCII digits 0-9.
   */
  public static boolean passes(CharSequence number) {
    int length = number.length();
    if (length == 0) {
      return false;
    }
    int sum = 0;
    boolean doubled = false; // the rightmost digit (the check digit) is not doubled
    for (int i = length - 1; i >= 0; i--) {
      int digit = number.charAt(i) - '0';
      if (digit < 0 || digit > 9) {
        return false;
      }
      sum += doubled ? doubledDigit(digit) : digit;
      doubled = !doubled;
    }
    return sum % 10 == 0;
  }

  /** The digit that, appended to {@code payload}, makes the whole number pass the Luhn check. */
  public static int checkDigit(CharSequence payload) {
    int sum = 0;
    boolean doubled = true; // the payload's last digit sits next to the check digit, so it is doubled
    for (int i = payload.length() - 1; i >= 0; i--) {
      int digit = payload.charAt(i) - '0';
      if (digit < 0 || digit > 9) {
        throw new IllegalArgumentException("the Luhn check is defined on decimal digits only");
      }
      sum += doubled ? doubledDigit(digit) : digit;
      doubled = !doubled;
    }
    return (10 - sum % 10) % 10;
  }

  private static int doubledDigit(int digit) {
    return digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
  }
}
