package dev.landscape.probe.curvature;

import java.util.Arrays;

/**
 * Integer class targets as a one-hot mask over axis 1 of the scores, so that cross-entropy and NLL become
 * {@code -sum(mask * log p)}: differentiable everywhere and with no integer gather in the graph.
 */
final class OneHot {

    private OneHot() {
    }

    /**
     * @param labels [N, d1, ...] class indices
     * @param scoresShape [N, C, d1, ...]
     * @return a [N, C, d1, ...] 0/1 tensor
     */
    static HostTensor encode(String where, HostTensor labels, long[] scoresShape) {
        if (scoresShape.length < 2) {
            throw new CurvatureException(where + ": scores must be at least [N, C], got " + Arrays.toString(scoresShape));
        }
        long[] expected = new long[scoresShape.length - 1];
        expected[0] = scoresShape[0];
        System.arraycopy(scoresShape, 2, expected, 1, scoresShape.length - 2);
        if (!Arrays.equals(labels.shape(), expected)) {
            throw new CurvatureException(where + ": targets have shape " + Arrays.toString(labels.shape())
                    + ", expected " + Arrays.toString(expected) + " for scores " + Arrays.toString(scoresShape));
        }
        int n = (int) scoresShape[0];
        int classes = (int) scoresShape[1];
        int inner = (int) Shapes.product(scoresShape, 2, scoresShape.length);
        double[] mask = new double[n * classes * inner];
        double[] l = labels.values();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < inner; j++) {
                double cls = l[i * inner + j];
                if (cls != Math.rint(cls) || cls < 0 || cls >= classes) {
                    throw new CurvatureException(where + ": target " + cls + " at position " + (i * inner + j)
                            + " is not a class index in [0, " + classes + ")");
                }
                mask[(i * classes + (int) cls) * inner + j] = 1.0;
            }
        }
        return new HostTensor(scoresShape, mask, false);
    }
}
