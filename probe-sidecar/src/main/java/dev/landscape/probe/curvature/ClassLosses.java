package dev.landscape.probe.curvature;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The eval batch's loss example by example: the mean loss of each class, the worst class, and the 95th percentile
 * of the per-example loss. A mean over the batch hides a class the model is forgetting (its loss rises while the
 * others fall) and a tail of examples it gets badly wrong; these figures show both. Computed in plain Java from
 * the model's output at the checkpoint's weights, with the loss head's own definition per example:
 * <ul>
 * <li>{@code cross-entropy} on logits {@code [N, C]}: {@code −log softmax(z_i)[y_i]} for integer targets (class
 * {@code y_i}; PyTorch's {@code ignore_index} −100 skipped), {@code −Σ_c p_ic log softmax(z_i)_c} for probability
 * targets (class: the most probable);</li>
 * <li>{@code mse}: the mean squared error of each example's row; classes only when every target row is one-hot
 * (class: its 1), as a classifier trained with a square loss has;</li>
 * <li>{@code graph}: the graph computes one number, so there is nothing per example ({@link #none}).</li>
 * </ul>
 * Other output shapes (per-token logits {@code [B, T, V]}, per-pixel outputs) are not broken down; the note says so.
 *
 * @param examples   examples (rows) that were counted
 * @param classes    mean loss of each class present in the batch, by class index
 * @param worstClass the class with the highest mean loss, or -1 without classes
 * @param p95        95th percentile of the per-example loss (nearest rank), NaN without examples
 * @param note       why there are no classes or no examples, or empty
 */
public record ClassLosses(int examples, Map<Integer, Double> classes, int worstClass, double p95, String note) {

    /** PyTorch's default {@code ignore_index} of {@code nn.CrossEntropyLoss}. */
    static final int IGNORE_INDEX = -100;

    public ClassLosses {
        classes = java.util.Collections.unmodifiableMap(new TreeMap<>(classes));
    }

    static ClassLosses none(String note) {
        return new ClassLosses(0, Map.of(), -1, Double.NaN, note);
    }

    /** The worst class's mean loss, or NaN without classes. */
    public double worstClassLoss() {
        return worstClass < 0 ? Double.NaN : classes.get(worstClass);
    }

    /**
     * @param output the values of the graph output the loss reads, row-major, of shape {@code shape}
     * @param target the batch's {@code target}; null for the {@code graph} loss
     */
    static ClassLosses of(LossHead head, double[] output, long[] shape, HostTensor target) {
        if (head == LossHead.GRAPH || target == null) {
            return none("the loss is computed by the graph as one number; per-example losses need --loss mse or cross-entropy");
        }
        if (shape.length < 1 || shape[0] < 1) {
            return none("the output has no examples");
        }
        int n = (int) shape[0];
        int width = output.length / n;
        double[] perExample = new double[n];
        int[] classOf = new int[n];
        int counted = 0;
        String note = "";
        if (head == LossHead.CROSS_ENTROPY) {
            if (shape.length != 2) {
                return none("per-class loss needs logits [N, C]; the output is " + Arrays.toString(shape));
            }
            boolean indices = target.integral() && target.numel() == n;
            for (int i = 0; i < n; i++) {
                double[] logp = logSoftmax(output, i * width, width);
                if (indices) {
                    int y = (int) target.values()[i];
                    if (y == IGNORE_INDEX) {
                        continue;
                    }
                    if (y < 0 || y >= width) {
                        throw new CurvatureException("target " + i + " is class " + y + " but the output has " + width
                                + " classes");
                    }
                    perExample[counted] = -logp[y];
                    classOf[counted++] = y;
                } else {
                    double loss = 0;
                    int best = 0;
                    for (int c = 0; c < width; c++) {
                        double p = target.values()[i * width + c];
                        loss -= p * logp[c];
                        best = p > target.values()[i * width + best] ? c : best;
                    }
                    perExample[counted] = loss;
                    classOf[counted++] = best;
                }
            }
        } else {
            boolean oneHot = true;
            for (int i = 0; i < n; i++) {
                double sum = 0;
                int hot = -1;
                for (int j = 0; j < width; j++) {
                    double d = output[i * width + j] - target.values()[i * width + j];
                    sum += d * d;
                    double t = target.values()[i * width + j];
                    if (t == 1 && hot < 0) {
                        hot = j;
                    } else if (t != 0) {
                        oneHot = false;
                    }
                }
                oneHot &= hot >= 0;
                perExample[counted] = sum / width;
                classOf[counted++] = hot;
            }
            if (!oneHot) {
                Arrays.fill(classOf, -1);
                note = "the targets are not one-hot rows, so there are no classes";
            }
        }
        return summarise(Arrays.copyOf(perExample, counted), Arrays.copyOf(classOf, counted), note);
    }

    private static ClassLosses summarise(double[] losses, int[] classOf, String note) {
        if (losses.length == 0) {
            return none("every example is ignored (target " + IGNORE_INDEX + ")");
        }
        Map<Integer, double[]> sums = new TreeMap<>();
        for (int i = 0; i < losses.length; i++) {
            if (classOf[i] >= 0) {
                double[] s = sums.computeIfAbsent(classOf[i], c -> new double[2]);
                s[0] += losses[i];
                s[1]++;
            }
        }
        Map<Integer, Double> means = new TreeMap<>();
        int worst = -1;
        for (Map.Entry<Integer, double[]> e : sums.entrySet()) {
            double mean = e.getValue()[0] / e.getValue()[1];
            means.put(e.getKey(), mean);
            if (worst < 0 || mean > means.get(worst)) {
                worst = e.getKey();
            }
        }
        double[] sorted = losses.clone();
        Arrays.sort(sorted);
        double p95 = sorted[(int) Math.ceil(0.95 * sorted.length) - 1];
        return new ClassLosses(losses.length, means, worst, p95, note);
    }

    private static double[] logSoftmax(double[] z, int from, int width) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < width; c++) {
            max = Math.max(max, z[from + c]);
        }
        double sum = 0;
        for (int c = 0; c < width; c++) {
            sum += Math.exp(z[from + c] - max);
        }
        double log = max + Math.log(sum);
        double[] out = new double[width];
        for (int c = 0; c < width; c++) {
            out[c] = z[from + c] - log;
        }
        return out;
    }
}
