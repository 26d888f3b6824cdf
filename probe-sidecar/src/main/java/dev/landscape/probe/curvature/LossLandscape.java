package dev.landscape.probe.curvature;

import dev.landscape.probe.curvature.linalg.DifferentiableLoss;
import java.util.Random;

/**
 * Low-dimensional views of the loss: along the straight segment between two checkpoints (Goodfellow et al. 2015,
 * "Qualitatively characterizing neural network optimization problems") and on a plane through a checkpoint spanned
 * by two filter-normalised random directions (Li et al. 2018, "Visualizing the loss landscape of neural nets").
 * Filter normalisation scales each filter (slice along a weight tensor's first, output axis) of a Gaussian direction
 * to the norm of the same filter of the weights, so that the picture does not depend on the scale invariance of
 * ReLU/BatchNorm networks and plots of different networks are comparable; 1-D tensors (biases, norm scales) get a
 * zero direction, as in Li et al.'s {@code ignore='biasbn'}.
 */
public final class LossLandscape {

    private LossLandscape() {
    }

    /** Loss at {@code from + alpha (to - from)} for each alpha. */
    public static double[] line(DifferentiableLoss loss, double[] from, double[] to, double[] alphas) {
        double[] w = new double[from.length];
        double[] out = new double[alphas.length];
        for (int k = 0; k < alphas.length; k++) {
            for (int i = 0; i < w.length; i++) {
                w[i] = from[i] + alphas[k] * (to[i] - from[i]);
            }
            out[k] = loss.loss(w);
        }
        return out;
    }

    /** {@code count} evenly spaced values from {@code lo} to {@code hi} inclusive. */
    public static double[] linspace(double lo, double hi, int count) {
        double[] v = new double[count];
        for (int i = 0; i < count; i++) {
            v[i] = count == 1 ? lo : lo + (hi - lo) * i / (count - 1);
        }
        return v;
    }

    /** A Gaussian direction, filter-normalised to the weights {@code w} (see the class comment). */
    public static double[] filterNormalisedDirection(ParameterLayout layout, double[] w, Random rng) {
        double[] d = new double[w.length];
        for (ParameterLayout.Slot s : layout.slots()) {
            long[] shape = s.shape();
            if (shape.length <= 1) {
                continue;
            }
            int filters = (int) shape[0];
            int per = s.length() / Math.max(1, filters);
            for (int f = 0; f < filters; f++) {
                int start = s.offset() + f * per;
                double wn = 0;
                double dn = 0;
                for (int i = start; i < start + per; i++) {
                    d[i] = rng.nextGaussian();
                    wn += w[i] * w[i];
                    dn += d[i] * d[i];
                }
                double scale = dn == 0 ? 0 : Math.sqrt(wn / dn);
                for (int i = start; i < start + per; i++) {
                    d[i] *= scale;
                }
            }
        }
        return d;
    }

    /** {@code out[i][j]} = loss at {@code w + coords[j] d1 + coords[i] d2} (row i is the second axis). */
    public static double[][] plane(DifferentiableLoss loss, double[] w, double[] d1, double[] d2, double[] coords) {
        double[][] out = new double[coords.length][coords.length];
        double[] p = new double[w.length];
        for (int i = 0; i < coords.length; i++) {
            for (int j = 0; j < coords.length; j++) {
                for (int k = 0; k < w.length; k++) {
                    p[k] = w[k] + coords[j] * d1[k] + coords[i] * d2[k];
                }
                out[i][j] = loss.loss(p);
            }
        }
        return out;
    }
}
