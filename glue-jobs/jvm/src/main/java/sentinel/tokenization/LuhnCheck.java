package sentinel.tokenization;

import org.apache.spark.sql.api.java.UDF1;

/**
 * Validation's Luhn rule as a Spark function: one call per row instead of a higher-order aggregate over
 * the value's digits, which cost about 26 s per million rows (see sentinel_etl/validation.py).
 *
 * <p>Null for a null value (a rule whose condition is null does not hold); otherwise {@link
 * Luhn#passes}: true when the value is one or more ASCII digits whose Luhn sum is a multiple of 10,
 * false for the empty string and for anything holding another character. Holds no key.
 */
public final class LuhnCheck implements UDF1<String, Boolean> {
  private static final long serialVersionUID = 1L;

  @Override
  public Boolean call(String value) {
    return value == null ? null : Luhn.passes(value);
  }
}
