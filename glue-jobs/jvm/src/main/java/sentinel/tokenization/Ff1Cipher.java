package sentinel.tokenization;

import java.util.Arrays;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.fpe.FPEEngine;
import org.bouncycastle.crypto.fpe.FPEFF1Engine;
import org.bouncycastle.crypto.params.FPEParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * FF1 (NIST SP 800-38G) over strings of a given alphabet, from Bouncy Castle's FPEFF1Engine with AES.
 * The i-th character of the alphabet is the numeral i. Not thread-safe (the engines keep state): one
 * instance per thread.
 */
public final class Ff1Cipher {
  /** SP 800-38G requires radix^minlen >= 1,000,000. */
  public static final double MINIMUM_DOMAIN = 1_000_000d;
  /** Bouncy Castle's byte interface takes one numeral per byte. */
  public static final int MAXIMUM_RADIX = 256;

  private final String alphabet;
  private final int[] numeralOf;
  private final FPEEngine encryptor;
  private final FPEEngine decryptor;

  public Ff1Cipher(byte[] key, byte[] tweak, String alphabet) {
    int radix = alphabet.length();
    if (radix < 2 || radix > MAXIMUM_RADIX) {
      throw new IllegalArgumentException("an FF1 alphabet has 2 to " + MAXIMUM_RADIX + " characters, this one " + radix);
    }
    this.alphabet = alphabet;
    int highest = alphabet.chars().max().getAsInt();
    this.numeralOf = new int[highest + 1];
    Arrays.fill(numeralOf, -1);
    for (int i = 0; i < radix; i++) {
      char c = alphabet.charAt(i);
      if (numeralOf[c] != -1) {
        throw new IllegalArgumentException("the alphabet repeats a character");
      }
      numeralOf[c] = i;
    }
    FPEParameters parameters = new FPEParameters(new KeyParameter(key), radix, tweak.clone());
    this.encryptor = new FPEFF1Engine(AESEngine.newInstance());
    this.encryptor.init(true, parameters);
    this.decryptor = new FPEFF1Engine(AESEngine.newInstance());
    this.decryptor.init(false, parameters);
  }

  /** The shortest string FF1 accepts over an alphabet of this many characters. */
  public static int minimumLength(int radix) {
    int length = 2;
    while (Math.pow(radix, length) < MINIMUM_DOMAIN) {
      length++;
    }
    return length;
  }

  public int minimumLength() {
    return minimumLength(alphabet.length());
  }

  /** True when every character of {@code text} is in the alphabet. */
  public boolean accepts(CharSequence text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= numeralOf.length || numeralOf[c] < 0) {
        return false;
      }
    }
    return true;
  }

  public String encrypt(CharSequence text) {
    return apply(encryptor, text);
  }

  public String decrypt(CharSequence text) {
    return apply(decryptor, text);
  }

  private String apply(FPEEngine engine, CharSequence text) {
    int length = text.length();
    if (length < minimumLength() || !accepts(text)) {
      // The message never carries the value itself: it is PII.
      throw new IllegalArgumentException(
          "FF1 needs at least " + minimumLength() + " characters from the column's alphabet, got " + length + " characters"
              + (accepts(text) ? "" : " with some outside it"));
    }
    byte[] numerals = new byte[length];
    for (int i = 0; i < length; i++) {
      numerals[i] = (byte) numeralOf[text.charAt(i)];
    }
    byte[] out = new byte[length];
    engine.processBlock(numerals, 0, length, out, 0);
    char[] chars = new char[length];
    for (int i = 0; i < length; i++) {
      chars[i] = alphabet.charAt(out[i] & 0xFF);
    }
    return new String(chars);
  }
}
