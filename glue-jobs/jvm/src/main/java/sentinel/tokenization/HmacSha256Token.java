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
 */
public final class HmacSha256Token implements UDF1<String, String> {
  private static final long serialVersionUID = 1L;
  private static final String ALGORITHM = "HmacSHA256";
  private static final HexFormat HEX = HexFormat.of();

  private final byte[] key;
  private final String tokenPrefix;
  private transient ThreadLocal<Mac> macs;

  public HmacSha256Token(byte[] key, String keyVersion) {
    if (key == null || key.length == 0) {
      throw new IllegalArgumentException("an HMAC key is required");
    }
    this.key = key.clone();
    this.tokenPrefix = keyVersion + ":";
  }

  @Override
  public String call(String value) throws GeneralSecurityException {
    if (value == null || value.isEmpty()) {
      return value;
    }
    return tokenPrefix + HEX.formatHex(mac().doFinal(value.getBytes(StandardCharsets.UTF_8)));
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
