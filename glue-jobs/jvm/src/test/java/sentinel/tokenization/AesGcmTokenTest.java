package sentinel.tokenization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class AesGcmTokenTest {
  private static final byte[] KEY = new byte[32];

  static {
    for (int i = 0; i < KEY.length; i++) {
      KEY[i] = (byte) (i * 7 + 3);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Opens a token the way Spark's aes_decrypt(unbase64(payload), key, 'GCM', 'DEFAULT', aad) does. */
  private static String open(byte[] token, String keyVersion, String aad) throws Exception {
    String text = new String(token, StandardCharsets.US_ASCII);
    assertTrue(text.startsWith(keyVersion + ":"), text);
    byte[] sealed = Base64.getDecoder().decode(text.substring(keyVersion.length() + 1));
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(KEY, "AES"), new GCMParameterSpec(128, sealed, 0, 12));
    cipher.updateAAD(utf8(aad));
    return new String(cipher.doFinal(sealed, 12, sealed.length - 12), StandardCharsets.UTF_8);
  }

  @Test
  void tokensAreKeyVersionAndBase64OfIvCiphertextAndTagThatOpenWithTheColumnsAssociatedData() throws Exception {
    AesGcmToken token = new AesGcmToken(KEY, "2025-11", "email");
    for (String value : new String[] {"ann@example.com", "Zoë 中文 🙂", "x"}) {
      byte[] out = token.call(utf8(value));
      byte[] sealed = Base64.getDecoder().decode(new String(out, StandardCharsets.US_ASCII).substring("2025-11:".length()));
      assertEquals(12 + utf8(value).length + 16, sealed.length);
      assertEquals(value, open(out, "2025-11", "sentinel:email"));
    }
  }

  @Test
  void anotherColumnsAssociatedDataDoesNotOpenIt() throws Exception {
    byte[] out = new AesGcmToken(KEY, "v", "email").call(utf8("ann@example.com"));
    assertThrows(AEADBadTagException.class, () -> open(out, "v", "sentinel:first_name"));
  }

  @Test
  void everyValueGetsAFreshIvAcrossCallsAndThreads() throws Exception {
    AesGcmToken token = new AesGcmToken(KEY, "v", "email");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<byte[]>>> parts = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        parts.add(pool.submit(() -> {
          List<byte[]> ivs = new ArrayList<>();
          for (int i = 0; i < 2000; i++) {
            byte[] out = token.call(utf8("same value"));
            byte[] sealed = Base64.getDecoder().decode(Arrays.copyOfRange(out, 2, out.length));
            ivs.add(Arrays.copyOf(sealed, 12));
            assertEquals("same value", open(out, "v", "sentinel:email"));
          }
          return ivs;
        }));
      }
      Set<String> seen = new HashSet<>();
      for (Future<List<byte[]>> part : parts) {
        for (byte[] iv : part.get()) {
          assertTrue(seen.add(Base64.getEncoder().encodeToString(iv)), "an IV repeated");
        }
      }
      assertEquals(8000, seen.size());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void nullAndEmptyPassThrough() throws Exception {
    AesGcmToken token = new AesGcmToken(KEY, "v", "email");
    assertNull(token.call(null));
    assertArrayEquals(new byte[0], token.call(new byte[0]));
  }

  @Test
  void refusesAKeyOfAnotherLengthAndNeverShowsTheKey() {
    assertThrows(IllegalArgumentException.class, () -> new AesGcmToken(new byte[16], "v", "email"));
    String shown = new AesGcmToken(KEY, "v1", "email").toString();
    assertFalse(shown.contains(Base64.getEncoder().encodeToString(KEY)));
    assertNotEquals(-1, shown.indexOf("v1:"));
  }
}
