package sentinel.tokenization;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.api.java.UDF1;

/**
 * The {@code format_preserving} token: FF1 over the characters after the first {@code keepPrefix},
 * so a token has the value's length, alphabet and prefix. Null stays null, the empty string stays empty.
 *
 * <p><b>Tokens that fail the Luhn check</b> ({@code failLuhn}, card numbers, decimal alphabet). A PAN's
 * last digit is its Luhn check digit, a function of the other digits, so it carries no information:
 * the token is {@code prefix + FF1(body) + d}, where body is everything between the prefix and the
 * check digit and {@code d = (luhn(prefix + FF1(body)) + 1) mod 10}, one more than the digit that would
 * make the token pass. Every token fails the check, equal inputs give equal tokens, and decryption is
 * exact: {@code FF1^-1} of the body, then the check digit recomputed. The input must pass the Luhn check
 * (real card numbers always do; the job's validation quarantines those that do not): no map from all
 * n-digit strings to the 90% of them that fail the check can be reversible. Re-encrypting until the
 * token fails (cycle walking) was not chosen: it is only reversible when plaintexts come from the same
 * Luhn-failing set as tokens, and card numbers are exactly the other set.
 *
 * <p>FF1 costs microseconds per value (ten AES rounds and big-integer arithmetic), twenty times an HMAC,
 * while card numbers repeat (one per customer, rows grouped by customer after the feature stage), so
 * each thread remembers up to {@value #MEMO_LIMIT} results and starts over when full.
 */
public final class Ff1Token implements UDF1<String, String> {
  private static final long serialVersionUID = 1L;
  private static final String DIGITS = "0123456789";
  static final int MEMO_LIMIT = 1 << 16;

  private final byte[] key;
  private final byte[] tweak;
  private final String alphabet;
  private final int keepPrefix;
  private final boolean failLuhn;
  private final boolean decrypt;
  private transient ThreadLocal<Worker> workers;

  /** One thread's cipher and remembered results. */
  private static final class Worker {
    final Ff1Cipher cipher;
    final Map<String, String> memo = new HashMap<>();

    Worker(Ff1Cipher cipher) {
      this.cipher = cipher;
    }
  }

  private Ff1Token(byte[] key, byte[] tweak, String alphabet, int keepPrefix, boolean failLuhn, boolean decrypt) {
    if (keepPrefix < 0) {
      throw new IllegalArgumentException("keepPrefix must not be negative");
    }
    if (failLuhn && !DIGITS.equals(alphabet)) {
      throw new IllegalArgumentException("Luhn-failing tokens need the decimal digits alphabet 0123456789");
    }
    this.key = key.clone();
    this.tweak = tweak.clone();
    this.alphabet = alphabet;
    this.keepPrefix = keepPrefix;
    this.failLuhn = failLuhn;
    this.decrypt = decrypt;
    new Ff1Cipher(this.key, this.tweak, alphabet); // fail here, on the driver, for a bad key or alphabet
  }

  public static Ff1Token encrypting(byte[] key, byte[] tweak, String alphabet, int keepPrefix, boolean failLuhn) {
    return new Ff1Token(key, tweak, alphabet, keepPrefix, failLuhn, false);
  }

  public static Ff1Token decrypting(byte[] key, byte[] tweak, String alphabet, int keepPrefix, boolean failLuhn) {
    return new Ff1Token(key, tweak, alphabet, keepPrefix, failLuhn, true);
  }

  /** The shortest value this token accepts: prefix, FF1's minimum, and the check digit when failing Luhn. */
  public static int minimumValueLength(int radix, int keepPrefix, boolean failLuhn) {
    return keepPrefix + Ff1Cipher.minimumLength(radix) + (failLuhn ? 1 : 0);
  }

  @Override
  public String call(String value) {
    if (value == null || value.isEmpty()) {
      return value;
    }
    Worker worker = worker();
    String known = worker.memo.get(value);
    if (known != null) {
      return known;
    }
    String result = transform(worker.cipher, value);
    if (worker.memo.size() >= MEMO_LIMIT) {
      worker.memo.clear();
    }
    worker.memo.put(value, result);
    return result;
  }

  private String transform(Ff1Cipher cipher, String value) {
    int minimum = minimumValueLength(alphabet.length(), keepPrefix, failLuhn);
    if (value.length() < minimum) {
      throw new IllegalArgumentException(
          "a value of length " + value.length() + " cannot be format-preserving tokenized: it needs at least " + minimum
              + " characters (" + keepPrefix + " kept in clear)");
    }
    String prefix = value.substring(0, keepPrefix);
    if (!failLuhn) {
      String rest = value.substring(keepPrefix);
      return prefix + (decrypt ? cipher.decrypt(rest) : cipher.encrypt(rest));
    }
    String body = value.substring(keepPrefix, value.length() - 1);
    int last = value.charAt(value.length() - 1) - '0';
    if (decrypt) {
      if (last != (Luhn.checkDigit(prefix + body) + 1) % 10) {
        throw new IllegalArgumentException("not a Luhn-failing format-preserving token of this column");
      }
      String payload = prefix + cipher.decrypt(body);
      return payload + Luhn.checkDigit(payload);
    }
    if (!Luhn.isValid(value)) {
      throw new IllegalArgumentException("Luhn-failing tokens are made from card numbers that pass the Luhn check; this value fails it");
    }
    String payload = prefix + cipher.encrypt(body);
    return payload + (Luhn.checkDigit(payload) + 1) % 10;
  }

  private Worker worker() {
    if (workers == null) {
      workers = ThreadLocal.withInitial(() -> new Worker(new Ff1Cipher(key, tweak, alphabet)));
    }
    return workers.get();
  }

  @Override
  public String toString() {
    return "Ff1Token(" + (decrypt ? "decrypt" : "encrypt") + ", radix " + alphabet.length() + ", prefix " + keepPrefix
        + (failLuhn ? ", Luhn-failing" : "") + ")";
  }
}
