package sentinel.tokenization;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.daead.AesSivKey;
import com.google.crypto.tink.daead.AesSivParameters;
import com.google.crypto.tink.daead.subtle.DeterministicAeads;
import com.google.crypto.tink.subtle.AesSiv;
import com.google.crypto.tink.util.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import org.apache.spark.sql.api.java.UDF1;

/**
 * The {@code deterministic_encrypt} token: {@code <key_version>:<base64 of SIV || ciphertext>}, AES-SIV
 * (RFC 5297, Tink's subtle.AesSiv) with a 512-bit key (AES-256 for S2V/CMAC and for CTR) and the
 * associated data {@code sentinel:<column>}, so a token moved to another column does not decrypt.
 * Equal values in a column give equal tokens (joinable); the key holder can decrypt them.
 * Null stays null and the empty string stays empty.
 */
public final class AesSivToken implements UDF1<String, String> {
  private static final long serialVersionUID = 1L;
  public static final int KEY_BYTES = 64;

  private final byte[] key;
  private final String tokenPrefix;
  private final byte[] associatedData;
  private final boolean decrypt;
  private transient DeterministicAeads siv;

  private AesSivToken(byte[] key, String keyVersion, String column, boolean decrypt) throws GeneralSecurityException {
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException("AES-SIV here takes a " + KEY_BYTES + "-byte key, got " + key.length);
    }
    this.key = key.clone();
    this.tokenPrefix = keyVersion + ":";
    this.associatedData = ("sentinel:" + column).getBytes(StandardCharsets.UTF_8);
    this.decrypt = decrypt;
    this.siv = create(this.key);
  }

  public static AesSivToken sealing(byte[] key, String keyVersion, String column) throws GeneralSecurityException {
    return new AesSivToken(key, keyVersion, column, false);
  }

  public static AesSivToken opening(byte[] key, String keyVersion, String column) throws GeneralSecurityException {
    return new AesSivToken(key, keyVersion, column, true);
  }

  /** Tink's AES-SIV for a 32-, 48- or 64-byte key (two AES keys: S2V's CMAC first, then CTR), no output prefix. */
  public static DeterministicAeads create(byte[] key) throws GeneralSecurityException {
    AesSivParameters parameters =
        AesSivParameters.builder().setKeySizeBytes(key.length).setVariant(AesSivParameters.Variant.NO_PREFIX).build();
    AesSivKey sivKey =
        AesSivKey.builder().setParameters(parameters).setKeyBytes(SecretBytes.copyFrom(key, InsecureSecretKeyAccess.get())).build();
    return AesSiv.create(sivKey);
  }

  @Override
  public String call(String value) throws GeneralSecurityException {
    if (value == null || value.isEmpty()) {
      return value;
    }
    if (decrypt) {
      if (!value.startsWith(tokenPrefix)) {
        throw new GeneralSecurityException("a deterministic_encrypt token of another key version than " + tokenPrefix);
      }
      byte[] sealed = Base64.getDecoder().decode(value.substring(tokenPrefix.length()));
      return new String(siv().decryptDeterministically(sealed, associatedData), StandardCharsets.UTF_8);
    }
    byte[] sealed = siv().encryptDeterministically(value.getBytes(StandardCharsets.UTF_8), associatedData);
    return tokenPrefix + Base64.getEncoder().encodeToString(sealed);
  }

  private DeterministicAeads siv() throws GeneralSecurityException {
    if (siv == null) { // after deserialization on an executor; Tink's AesSiv is thread-safe
      siv = create(key);
    }
    return siv;
  }

  @Override
  public String toString() {
    return "AesSivToken(" + (decrypt ? "decrypt" : "encrypt") + ", " + tokenPrefix + ")";
  }
}
