package sentinel.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IsolationForestPathLengthTest {
  private static final double MEDIAN_0 = 5.0;
  private static final double MEDIAN_1 = -1.0;

  /**
   * Two trees over two features. Tree 0: root splits feature 0 at 0.1 (a double that float32 cannot hold),
   * left is a leaf (depth 1, average 0.5), right splits feature 1 at 2.0 into leaves (depth 2, averages 0
   * and 3.25). Tree 1: a single leaf (depth 0, average 7.5).
   */
  private static IsolationForestPathLength twoTrees(double denominator) {
    return IsolationForestPathLength.fromLittleEndian(
        longs(5, 1),
        longs(1, -1, 3, -1, -1, -1),
        longs(2, -1, 4, -1, -1, -1),
        longs(0, 0, 1, 0, 0, 0),
        doubles(0.1, -2, 2.0, -2, -2, -2),
        doubles(0, 1, 1, 2, 2, 0),
        doubles(9, 0.5, 9, 0.0, 3.25, 7.5),
        doubles(MEDIAN_0, MEDIAN_1),
        denominator,
        "sha256:test");
  }

  private static double expected(double leafOfTree0) {
    return (0.0 + leafOfTree0 + (0 + 7.5 - 1.0)) / 4.0;
  }

  @Test
  void walksEveryTreeAndAddsDepthPlusAveragePathLengthMinusOne() {
    IsolationForestPathLength forest = twoTrees(4.0);
    assertEquals(expected(1 + 0.5 - 1.0), forest.normalisedPathLength(new double[] {0.0, 100}));
    assertEquals(expected(2 + 0.0 - 1.0), forest.normalisedPathLength(new double[] {1.0, 2.0}));
    assertEquals(expected(2 + 3.25 - 1.0), forest.normalisedPathLength(new double[] {1.0, 2.0000002}));
    assertEquals(2, forest.featureCount());
  }

  @Test
  void comparesFeaturesRoundedToFloat32AsScikitLearnDoes() {
    IsolationForestPathLength forest = twoTrees(4.0);
    // (float) 0.1 is 0.10000000149..., above the double threshold 0.1: the row goes right.
    assertEquals(expected(2 + 0.0 - 1.0), forest.normalisedPathLength(new double[] {0.1, 0}));
    // The largest double whose float32 rounding is still below 0.1 goes left.
    double below = Math.nextDown((double) Math.nextDown(0.1f));
    assertEquals(expected(1 + 0.5 - 1.0), forest.normalisedPathLength(new double[] {below, 0}));
    // 2.0000001 is nearer 2.0f than the next float: it compares as 2.0 and goes left at the threshold 2.0.
    assertEquals(expected(2 + 0.0 - 1.0), forest.normalisedPathLength(new double[] {1.0, 2.0000001}));
  }

  @Test
  void nullNanAndInfinityTakeTheFittedMedian() {
    IsolationForestPathLength forest = twoTrees(4.0);
    double atMedians = forest.normalisedPathLength(new double[] {MEDIAN_0, MEDIAN_1});
    for (double missing : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      assertEquals(atMedians, forest.normalisedPathLength(new double[] {missing, missing}));
    }
    // A null struct field (Spark's Row for the feature struct; called through Spark in test_anomaly*.py).
    assertEquals(atMedians, forest.normalisedPathLength(
        new double[] {IsolationForestPathLength.field(null), IsolationForestPathLength.field(MEDIAN_1)}));
    assertEquals(MEDIAN_1, IsolationForestPathLength.field(MEDIAN_1));
  }

  @Test
  void aValueTooLargeForFloat32IsRefusedAsScikitLearnRefusesIt() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> twoTrees(4.0).normalisedPathLength(new double[] {1e39, 0}));
    assertTrue(error.getMessage().contains("too large for float32"));
  }

  @Test
  void aZeroDenominatorGivesOneAsScikitLearnsDivideWhere() {
    assertEquals(1.0, twoTrees(0.0).normalisedPathLength(new double[] {0, 0}));
  }

  @Test
  void aRowOfTheWrongWidthIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> twoTrees(4.0).normalisedPathLength(new double[] {1.0}));
  }

  @Test
  void malformedForestsAreRefused() {
    byte[] counts = longs(3);
    byte[] noSplit = doubles(0, 0, 0);
    // A child pointing back at its parent would loop forever.
    assertThrows(IllegalArgumentException.class, () -> IsolationForestPathLength.fromLittleEndian(
        counts, longs(0, -1, -1), longs(2, -1, -1), longs(0, 0, 0), noSplit, noSplit, noSplit, doubles(1), 1.0, "h"));
    // A split on a feature the rows do not have.
    assertThrows(IllegalArgumentException.class, () -> IsolationForestPathLength.fromLittleEndian(
        counts, longs(1, -1, -1), longs(2, -1, -1), longs(3, 0, 0), noSplit, noSplit, noSplit, doubles(1), 1.0, "h"));
    // Node counts that do not add up to the arrays.
    assertThrows(IllegalArgumentException.class, () -> IsolationForestPathLength.fromLittleEndian(
        longs(2), longs(1, -1, -1), longs(2, -1, -1), longs(0, 0, 0), noSplit, noSplit, noSplit, doubles(1), 1.0, "h"));
    // Arrays of different lengths, or bytes that are not whole values.
    assertThrows(IllegalArgumentException.class, () -> IsolationForestPathLength.fromLittleEndian(
        counts, longs(1, -1, -1), longs(2, -1), longs(0, 0, 0), noSplit, noSplit, noSplit, doubles(1), 1.0, "h"));
    assertThrows(IllegalArgumentException.class, () -> IsolationForestPathLength.fromLittleEndian(
        counts, new byte[7], longs(2, -1, -1), longs(0, 0, 0), noSplit, noSplit, noSplit, doubles(1), 1.0, "h"));
    // A leaf marker on one side only.
    assertThrows(IllegalArgumentException.class, () -> IsolationForestPathLength.fromLittleEndian(
        counts, longs(1, -1, -1), longs(-1, -1, -1), longs(0, 0, 0), noSplit, noSplit, noSplit, doubles(1), 1.0, "h"));
    // A median that is not a number.
    assertThrows(IllegalArgumentException.class, () -> IsolationForestPathLength.fromLittleEndian(
        counts, longs(1, -1, -1), longs(2, -1, -1), longs(0, 0, 0), noSplit, noSplit, noSplit, doubles(Double.NaN), 1.0, "h"));
  }

  @Test
  void survivesJavaSerializationAsSparkShipsIt() throws IOException, ClassNotFoundException {
    IsolationForestPathLength forest = twoTrees(4.0);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(forest);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      IsolationForestPathLength copy = (IsolationForestPathLength) in.readObject();
      assertEquals(forest.normalisedPathLength(new double[] {1.0, 3.0}), copy.normalisedPathLength(new double[] {1.0, 3.0}));
    }
  }

  /**
   * A forest fitted by scikit-learn and the rows it scored (random rows, then edge values: NaN, infinities,
   * the split thresholds themselves and their float32 neighbours, signed zeros, subnormals, float32's
   * largest value), with the normalised path lengths sklearn's score_samples raised 2 to the power of.
   * Written by glue-jobs/tests/test_anomaly_jvm.py, which checks the file is what sklearn gives today.
   */
  @Test
  void equalsScikitLearnBitForBitOnItsOwnForest() throws IOException {
    Map<String, byte[]> fixture = readFixture();
    IsolationForestPathLength forest = IsolationForestPathLength.fromLittleEndian(
        fixture.get("node_counts"), fixture.get("left"), fixture.get("right"), fixture.get("feature"),
        fixture.get("threshold"), fixture.get("decision_path_length"), fixture.get("average_path_length"),
        fixture.get("impute_medians"), asDoubles(fixture.get("denominator"))[0], "sha256:fixture");
    double[] rows = asDoubles(fixture.get("rows"));
    double[] expected = asDoubles(fixture.get("normalised_path_length"));
    int width = forest.featureCount();
    assertEquals(expected.length * width, rows.length);
    assertTrue(expected.length > 1000);
    for (int i = 0; i < expected.length; i++) {
      double[] row = new double[width];
      System.arraycopy(rows, i * width, row, 0, width);
      double got = forest.normalisedPathLength(row);
      assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(got), "row " + i);
    }
  }

  private static Map<String, byte[]> readFixture() throws IOException {
    Map<String, byte[]> fixture = new HashMap<>();
    try (InputStream in = IsolationForestPathLengthTest.class.getResourceAsStream("sklearn-forest.txt")) {
      if (in == null) {
        throw new IOException("sentinel/anomaly/sklearn-forest.txt is not on the test classpath");
      }
      for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] field = line.split(" ", 2);
        fixture.put(field[0], Base64.getDecoder().decode(field[1].strip()));
      }
    }
    return fixture;
  }

  private static double[] asDoubles(byte[] bytes) {
    double[] values = new double[bytes.length / Double.BYTES];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(values);
    return values;
  }

  private static byte[] longs(long... values) {
    ByteBuffer buffer = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (long value : values) {
      buffer.putLong(value);
    }
    return buffer.array();
  }

  private static byte[] doubles(double... values) {
    ByteBuffer buffer = ByteBuffer.allocate(values.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (double value : values) {
      buffer.putDouble(value);
    }
    return buffer.array();
  }
}
