package sentinel.anomaly;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.LongBuffer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;

/**
 * A fitted isolation forest's normalised path length {@code E[h(x)] / c(psi)} for one row of features: the
 * exponent of the paper's anomaly score {@code s(x, psi) = 2^-(E[h(x)] / c(psi))}, computed operation for
 * operation as scikit-learn 1.5's {@code IsolationForest.score_samples} computes it before its final power.
 *
 * <p>Per row: a null or non-finite feature becomes the median fitted with the model; every feature is
 * rounded to float32 (sklearn validates X as float32) and compared as a double with {@code <=} against the
 * split threshold (sklearn's Cython {@code apply}); the trees are visited in order and each adds
 * {@code (decision_path_length[leaf] + average_path_length[leaf]) - 1.0} to a double sum, exactly sklearn's
 * {@code depths += ...}; the sum is divided by {@code n_trees * c(max_samples)} (1.0 when that is 0, as
 * sklearn's {@code np.divide(..., where=denominator != 0)}). Java evaluates double arithmetic in IEEE 754
 * binary64 without contraction (Java 17 is strictfp everywhere), so the same doubles in the same order give
 * the same result bit for bit.
 *
 * <p>The final {@code 2 ** -x} is deliberately not here: numpy's power (SVML on AVX-512 machines, glibc
 * elsewhere) and Java's {@code Math.pow}/{@code StrictMath.pow} round differently on about a quarter of
 * these inputs, so the Python job applies numpy's own power to this value (sentinel_etl/anomaly.py).
 *
 * <p>The forest is data: little-endian arrays as {@code sentinel_etl.forest_arrays} stores them, validated
 * here (children inside their tree and after their parent, so every walk ends at a leaf; split features
 * inside the row). Nothing is loaded as code.
 */
public final class IsolationForestPathLength implements UDF1<Row, Double> {
  private static final long serialVersionUID = 1L;
  private static final int LEAF = -1;

  /** Per node of all trees concatenated: children as absolute node indices ({@link #LEAF} at a leaf). */
  private final int[] left;
  private final int[] right;
  private final int[] feature;
  private final double[] threshold;
  /** Per leaf node: {@code (decision_path_length + average_path_length) - 1.0}, what sklearn adds for it. */
  private final double[] leafDepth;
  private final int[] roots;
  private final double[] imputeMedians;
  private final double denominator;
  private final String modelHash;

  private IsolationForestPathLength(
      int[] left, int[] right, int[] feature, double[] threshold, double[] leafDepth, int[] roots,
      double[] imputeMedians, double denominator, String modelHash) {
    this.left = left;
    this.right = right;
    this.feature = feature;
    this.threshold = threshold;
    this.leafDepth = leafDepth;
    this.roots = roots;
    this.imputeMedians = imputeMedians;
    this.denominator = denominator;
    this.modelHash = modelHash;
  }

  /**
   * The forest from the arrays of {@code ForestArrays}: per tree its node count ({@code nodeCounts}, int64),
   * then per node, all trees concatenated in order, the children ({@code left}, {@code right}: int64, node
   * index within the tree or -1 at a leaf), the split feature (int64), the threshold, the decision path
   * length and the average path length (float64); every array little-endian. {@code imputeMedians} (float64)
   * has one value per feature; {@code denominator} is {@code n_trees * c(max_samples)}.
   *
   * @throws IllegalArgumentException when the arrays do not describe a forest over these features
   */
  public static IsolationForestPathLength fromLittleEndian(
      byte[] nodeCounts, byte[] left, byte[] right, byte[] feature, byte[] threshold,
      byte[] decisionPathLength, byte[] averagePathLength, byte[] imputeMedians, double denominator, String modelHash) {
    long[] counts = longs(nodeCounts, "node counts");
    long[] lefts = longs(left, "left children");
    long[] rights = longs(right, "right children");
    long[] features = longs(feature, "features");
    double[] thresholds = doubles(threshold, "thresholds");
    double[] pathLengths = doubles(decisionPathLength, "decision path lengths");
    double[] averages = doubles(averagePathLength, "average path lengths");
    double[] medians = doubles(imputeMedians, "impute medians");
    int nodes = lefts.length;
    if (counts.length == 0) {
      throw new IllegalArgumentException("isolation forest " + modelHash + ": no trees");
    }
    if (rights.length != nodes || features.length != nodes || thresholds.length != nodes
        || pathLengths.length != nodes || averages.length != nodes) {
      throw new IllegalArgumentException("isolation forest " + modelHash + ": node arrays differ in length");
    }
    if (medians.length == 0) {
      throw new IllegalArgumentException("isolation forest " + modelHash + ": no features");
    }
    for (double median : medians) {
      if (!Double.isFinite(median)) {
        throw new IllegalArgumentException("isolation forest " + modelHash + ": an impute median is not finite");
      }
    }
    if (!Double.isFinite(denominator) || denominator < 0) {
      throw new IllegalArgumentException("isolation forest " + modelHash + ": denominator " + denominator);
    }
    int[] roots = new int[counts.length];
    int[] absLeft = new int[nodes];
    int[] absRight = new int[nodes];
    int[] absFeature = new int[nodes];
    double[] leafDepth = new double[nodes];
    long start = 0;
    for (int t = 0; t < counts.length; t++) {
      long count = counts[t];
      if (count <= 0 || start + count > nodes) {
        throw new IllegalArgumentException("isolation forest " + modelHash + ": tree " + t + " has " + count
            + " nodes, which the node arrays do not hold");
      }
      roots[t] = (int) start;
      for (long local = 0; local < count; local++) {
        int node = (int) (start + local);
        long l = lefts[node];
        long r = rights[node];
        if (l == LEAF && r == LEAF) {
          absLeft[node] = LEAF;
          absRight[node] = LEAF;
          leafDepth[node] = pathLengths[node] + averages[node] - 1.0;
          continue;
        }
        // Children after their parent (as sklearn's builders number them) also rule out cycles.
        if (l <= local || l >= count || r <= local || r >= count) {
          throw new IllegalArgumentException("isolation forest " + modelHash + ": tree " + t
              + " node " + local + " has a child outside the tree or before it");
        }
        if (features[node] < 0 || features[node] >= medians.length) {
          throw new IllegalArgumentException("isolation forest " + modelHash + ": tree " + t
              + " node " + local + " splits on feature " + features[node] + " of " + medians.length);
        }
        absLeft[node] = (int) (start + l);
        absRight[node] = (int) (start + r);
        absFeature[node] = (int) features[node];
      }
      start += count;
    }
    if (start != nodes) {
      throw new IllegalArgumentException("isolation forest " + modelHash + ": the trees hold " + start
          + " nodes, the node arrays " + nodes);
    }
    return new IsolationForestPathLength(
        absLeft, absRight, absFeature, thresholds, leafDepth, roots, medians, denominator, modelHash);
  }

  /** The number of features a row must have. */
  public int featureCount() {
    return imputeMedians.length;
  }

  /** The row's features as a struct of doubles, in the model's feature order (nulls allowed). */
  @Override
  public Double call(Row row) {
    int n = imputeMedians.length;
    if (row.length() != n) {
      throw new IllegalArgumentException("isolation forest " + modelHash + " scores " + n + " features, got " + row.length());
    }
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = field(row.get(i));
    }
    return normalisedPathLength(x);
  }

  /** A struct field cast to double: a Double, or null (which, like NaN, takes the fitted median). */
  static double field(Object value) {
    return value == null ? Double.NaN : (Double) value;
  }

  /**
   * {@code E[h(x)] / c(psi)} for one row; {@code features} is overwritten with the values compared (imputed,
   * rounded to float32).
   */
  public double normalisedPathLength(double[] features) {
    if (features.length != imputeMedians.length) {
      throw new IllegalArgumentException("isolation forest " + modelHash + " scores " + imputeMedians.length
          + " features, got " + features.length);
    }
    for (int i = 0; i < features.length; i++) {
      double value = Double.isFinite(features[i]) ? features[i] : imputeMedians[i];
      float single = (float) value;
      if (Float.isInfinite(single)) {
        // sklearn's float32 validation refuses it too ("a value too large for dtype('float32')").
        throw new IllegalArgumentException("isolation forest " + modelHash + ": feature " + i + " value " + value
            + " is too large for float32, which scikit-learn's isolation forest scores in");
      }
      features[i] = single;
    }
    double depths = 0.0;
    for (int root : roots) {
      int node = root;
      while (left[node] != LEAF) {
        node = features[feature[node]] <= threshold[node] ? left[node] : right[node];
      }
      depths += leafDepth[node];
    }
    return denominator != 0.0 ? depths / denominator : 1.0;
  }

  private static long[] longs(byte[] bytes, String what) {
    LongBuffer buffer = littleEndian(bytes, Long.BYTES, what, "int64").asLongBuffer();
    long[] values = new long[buffer.remaining()];
    buffer.get(values);
    return values;
  }

  private static double[] doubles(byte[] bytes, String what) {
    DoubleBuffer buffer = littleEndian(bytes, Double.BYTES, what, "float64").asDoubleBuffer();
    double[] values = new double[buffer.remaining()];
    buffer.get(values);
    return values;
  }

  /** `bytes` as a little-endian buffer of `width`-byte values, refused (naming `what`) when it is not one. */
  private static ByteBuffer littleEndian(byte[] bytes, int width, String what, String type) {
    if (bytes == null || bytes.length % width != 0) {
      throw new IllegalArgumentException("isolation forest " + what + ": expected little-endian " + type + " values");
    }
    return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  @Override
  public String toString() {
    return "IsolationForestPathLength(" + modelHash + ", " + roots.length + " trees)";
  }
}
