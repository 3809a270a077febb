package sentinel.tokenization;

/** The ISO/IEC 7812-1 (Luhn mod 10) check digit of card numbers. */
public final class Luhn {
  private Luhn() {}

  /** True when every character is a digit and the last one is the Luhn check digit of the others. */
  public static boolean isValid(CharSequence number) {
    int length = number.length();
    return length >= 2 && allDigits(number) && checkDigit(number.subSequence(0, length - 1)) == number.charAt(length - 1) - '0';
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
      if (doubled) {
        digit *= 2;
        if (digit > 9) {
          digit -= 9;
        }
      }
      sum += digit;
      doubled = !doubled;
    }
    return (10 - sum % 10) % 10;
  }

  private static boolean allDigits(CharSequence number) {
    for (int i = 0; i < number.length(); i++) {
      char c = number.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
