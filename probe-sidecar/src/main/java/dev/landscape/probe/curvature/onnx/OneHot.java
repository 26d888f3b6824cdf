package dev.landscape.probe.curvature.onnx;

import dev.landscape.probe.curvature.CurvatureException;
import dev.landscape.probe.curvature.HostTensor;
import java.util.Arrays;

/**
 * Integer class targets as a one-hot mask over the class axis of the scores, so that cross-entropy and NLL become
 * {@code -sum(mask * log p) / count}: differentiable everywhere and with no integer gather in the graph. Targets
 * equal to the ignore index (PyTorch's {@code ignore_index}, -100 by default; Hugging Face pads labels with it) get
 * an all-zero row and are left out of {@code count}.
 *
 * @param mask  0/1 tensor of the scores' shape
 * @param count targets that are not ignored (the denominator of a mean)
 */
public record OneHot(HostTensor mask, long count) {

    /** PyTorch's default {@code ignore_index}. */
    public static final long PYTORCH_IGNORE_INDEX = -100;

    /**
     * @param labels      class indices, of the scores' shape without the class axis
     * @param scoresShape e.g. [N, C, d1, ...] (class axis 1) or [B, T, V] (class axis 2)
     * @param ignoreIndex a target value to leave out, or null for none
     */
    public static OneHot encode(String where, HostTensor labels, long[] scoresShape, int classAxis, Long ignoreIndex) {
        long[] expected = Shapes.without(scoresShape, classAxis);
        if (!Arrays.equals(labels.shape(), expected)) {
            throw new CurvatureException(where + ": targets have shape " + Arrays.toString(labels.shape())
                    + ", expected " + Arrays.toString(expected) + " for scores " + Arrays.toString(scoresShape)
                    + " with classes on axis " + classAxis);
        }
        int outer = (int) Shapes.product(scoresShape, 0, classAxis);
        int classes = (int) scoresShape[classAxis];
        int inner = (int) Shapes.product(scoresShape, classAxis + 1, scoresShape.length);
        double[] mask = new double[Math.toIntExact(HostTensor.numel(scoresShape))];
        double[] l = labels.values();
        long count = 0;
        for (int i = 0; i < outer; i++) {
            for (int j = 0; j < inner; j++) {
                double cls = l[i * inner + j];
                if (ignoreIndex != null && cls == ignoreIndex) {
                    continue;
                }
                if (cls != Math.rint(cls) || cls < 0 || cls >= classes) {
                    throw new CurvatureException(where + ": target " + cls + " at position " + (i * inner + j)
                            + " is not a class index in [0, " + classes + ")"
                            + (ignoreIndex == null ? "" : " nor the ignore index " + ignoreIndex));
                }
                mask[(i * classes + (int) cls) * inner + j] = 1.0;
                count++;
            }
        }
        if (count == 0) {
            throw new CurvatureException(where + ": every target is the ignore index " + ignoreIndex
                    + ", so the loss is undefined (0/0); the batch needs at least one labelled position");
        }
        return new OneHot(new HostTensor(scoresShape, mask, false), count);
    }
}
