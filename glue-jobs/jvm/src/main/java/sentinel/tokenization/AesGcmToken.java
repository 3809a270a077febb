package sentinel.tokenization;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.apache.spark.sql.api.java.UDF1;

/**
 * The {@code encrypt} token: {@code <key_version>:<base64 of IV || ciphertext || tag>}, AES-256-GCM
 * (javax.crypto) with a fresh random 96-bit IV per value, a 128-bit tag and the associated data
 * {@code sentinel:<column>}. That is byte for byte the layout of Spark's {@code aes_encrypt(value, key,
 * 'GCM', 'DEFAULT', '', aad)}, which the job used before, so Spark's {@code aes_decrypt} opens these
 * tokens and the re-identification path is unchanged. Null stays null and the empty string stays empty.
 *
 * <p>Why not Spark's {@code aes_encrypt}: it looks up a new {@code Cipher} for every value (the JCA
 * provider search costs more than the encryption of a short value) and takes its key as a column. Here
 * each thread keeps one {@code Cipher} and one {@code SecureRandom}; the key is a constructor argument,
 * like every other keyed token (see sentinel_etl/tokenization/jvm.py).
 *
 * <p>Works on UTF-8 bytes ({@code UDF1<byte[], byte[]>}): Spark hands a binary column to a Java function
 * without conversion, where a string column would be decoded to a {@code java.lang.String} and the
 * result encoded back.
 */
public final class AesGcmToken implements UDF1<byte[], byte[]> {
  private static final long serialVersionUID = 1L;
  public static final int KEY_BYTES = 32;
  public static final int IV_BYTES = 12;
  public static final int TAG_BITS = 128;
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";

  private final byte[] key;
  private final byte[] tokenPrefix;
  private final byte[] associatedData;
  private transient ThreadLocal<Sealer> sealers;

  /** One thread's cipher, random source and key object. */
  private static final class Sealer {
    final Cipher cipher;
    final SecureRandom random = new SecureRandom();
    final SecretKeySpec key;

    Sealer(byte[] key) throws GeneralSecurityException {
      this.cipher = Cipher.getInstance(TRANSFORMATION);
      this.key = new SecretKeySpec(key, "AES");
    }
  }

  public AesGcmToken(byte[] key, String keyVersion, String column) {
    if (key == null || key.length != KEY_BYTES) {
      throw new IllegalArgumentException("AES-256-GCM takes a " + KEY_BYTES + "-byte key");
    }
    this.key = key.clone();
    this.tokenPrefix = (keyVersion + ":").getBytes(StandardCharsets.UTF_8);
    this.associatedData = ("sentinel:" + column).getBytes(StandardCharsets.UTF_8);
  }

  /** The token of {@code value}'s UTF-8 bytes, as UTF-8 (ASCII) bytes. */
  @Override
  public byte[] call(byte[] value) throws GeneralSecurityException {
    if (value == null || value.length == 0) {
      return value;
    }
    Sealer sealer = sealer();
    byte[] iv = new byte[IV_BYTES];
    sealer.random.nextBytes(iv);
    // A GCM Cipher refuses to encrypt twice under one key and IV; every init here brings a new IV.
    sealer.cipher.init(Cipher.ENCRYPT_MODE, sealer.key, new GCMParameterSpec(TAG_BITS, iv));
    sealer.cipher.updateAAD(associatedData);
    byte[] sealed = new byte[IV_BYTES + sealer.cipher.getOutputSize(value.length)];
    System.arraycopy(iv, 0, sealed, 0, IV_BYTES);
    sealer.cipher.doFinal(value, 0, value.length, sealed, IV_BYTES);
    byte[] encoded = Base64.getEncoder().encode(sealed);
    byte[] token = new byte[tokenPrefix.length + encoded.length];
    System.arraycopy(tokenPrefix, 0, token, 0, tokenPrefix.length);
    System.arraycopy(encoded, 0, token, tokenPrefix.length, encoded.length);
    return token;
  }

  private Sealer sealer() {
    if (sealers == null) { // after deserialization on an executor
      sealers = ThreadLocal.withInitial(this::newSealer);
    }
    return sealers.get();
  }

  private Sealer newSealer() {
    try {
      return new Sealer(key);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(TRANSFORMATION + " is unavailable", e);
    }
  }

  @Override
  public String toString() {
    return "AesGcmToken(" + new String(tokenPrefix, StandardCharsets.UTF_8) + ")";
  }
}
