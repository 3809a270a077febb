package sentinel.tokenization;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.spark.sql.api.java.UDF1;

/**
 * The {@code deterministic} token: {@code <key_version>:<64 lower-case hex>}, HMAC-SHA256 (RFC 2104,
 * javax.crypto) of the value's UTF-8 bytes. Null stays null and the empty string stays empty.
 *
 * <p>The key is a constructor argument: the Python job builds one instance per run through the JVM
 * gateway and registers it as a Spark function, so the key never becomes a column, a literal in a
 * plan or a job argument (see sentinel_etl/tokenization/jvm.py).
 *
 * <p>The job calls it through {@link #onUtf8Bytes()}, the same token over UTF-8 bytes: Spark hands a
 * binary column to a Java function as it is, where a string column costs a decode to a {@code String}
 * on the way in and an encode on the way out (about a third of this function's time, measured).
 */
public final class HmacSha256Token implements UDF1<String, String> {
  private static final long serialVersionUID = 1L;
  private static final String ALGORITHM = "HmacSHA256";
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private final byte[] key;
  private final String tokenPrefix;
  private final byte[] tokenPrefixBytes;
  private transient ThreadLocal<Mac> macs;

  public HmacSha256Token(byte[] key, String keyVersion) {
    if (key == null || key.length == 0) {
      throw new IllegalArgumentException("an HMAC key is required");
    }
    this.key = key.clone();
    this.tokenPrefix = keyVersion + ":";
    this.tokenPrefixBytes = tokenPrefix.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String call(String value) throws GeneralSecurityException {
    if (value == null || value.isEmpty()) {
      return value;
    }
    return tokenPrefix + HEX.formatHex(mac().doFinal(value.getBytes(StandardCharsets.UTF_8)));
  }

  /** The token of a value given as its UTF-8 bytes, as UTF-8 bytes: {@link #call} without the string conversions. */
  public byte[] tokenOfUtf8(byte[] value) throws GeneralSecurityException {
    if (value == null || value.length == 0) {
      return value;
    }
    byte[] digest = mac().doFinal(value);
    byte[] token = new byte[tokenPrefixBytes.length + 2 * digest.length];
    System.arraycopy(tokenPrefixBytes, 0, token, 0, tokenPrefixBytes.length);
    int at = tokenPrefixBytes.length;
    for (byte b : digest) {
      token[at++] = HEX_DIGITS[(b >> 4) & 0xF];
      token[at++] = HEX_DIGITS[b & 0xF];
    }
    return token;
  }

  /** This token as a Spark function over UTF-8 bytes (a binary column in, a binary column out). */
  public UDF1<byte[], byte[]> onUtf8Bytes() {
    return new Utf8(this);
  }

  /** {@link #tokenOfUtf8} as a Spark function; serialized with the token it calls. */
  private static final class Utf8 implements UDF1<byte[], byte[]> {
    private static final long serialVersionUID = 1L;
    private final HmacSha256Token token;

    Utf8(HmacSha256Token token) {
      this.token = token;
    }

    @Override
    public byte[] call(byte[] value) throws GeneralSecurityException {
      return token.tokenOfUtf8(value);
    }

    @Override
    public String toString() {
      return token + " on UTF-8 bytes";
    }
  }

  /** HMAC-SHA256 of arbitrary bytes with this instance's key (for checks against other implementations). */
  public byte[] digest(byte[] message) throws GeneralSecurityException {
    return mac().doFinal(message);
  }

  private Mac mac() throws GeneralSecurityException {
    if (macs == null) {
      // Spark deserializes one instance per task, but nothing stops a caller sharing one across threads.
      macs = ThreadLocal.withInitial(this::newMac);
    }
    return macs.get();
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }

  @Override
  public String toString() {
    return "HmacSha256Token(" + tokenPrefix + ")";
  }
}
