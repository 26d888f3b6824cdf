package dev.landscape.probe.curvature;

import dev.landscape.probe.curvature.onnx.OneHot;
import dev.landscape.probe.curvature.onnx.OnnxGraphTranslator;
import dev.landscape.probe.curvature.onnx.OnnxValue;
import dev.landscape.probe.curvature.onnx.Shapes;
import dev.landscape.probe.curvature.onnx.TranslatedGraph;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.Arrays;
import java.util.Locale;

/**
 * The loss put on top of the model's output, matching PyTorch's defaults so that numbers agree with the trainer's
 * logs: {@code mse} is {@code nn.MSELoss()} (mean over every element), {@code cross-entropy} is
 * {@code nn.CrossEntropyLoss()} (log-softmax over the class axis, mean over the batch and any extra axes) with
 * integer class targets, targets of -100 ignored as its default {@code ignore_index} does, or with class
 * probabilities of the logits' shape; {@code graph} uses a scalar output the graph already computes (exported with
 * its loss).
 */
public enum LossHead {
    MSE, CROSS_ENTROPY, GRAPH;

    public static LossHead parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "mse" -> MSE;
            case "cross-entropy", "ce", "crossentropy" -> CROSS_ENTROPY;
            case "graph" -> GRAPH;
            default -> throw new CurvatureException("unknown loss '" + s + "': use mse, cross-entropy or graph");
        };
    }

    /**
     * Adds the loss to the graph and returns the name of the scalar loss variable.
     *
     * @param output the ONNX output the loss is computed on
     * @param target the batch's {@code target} tensor; unused for {@code graph}
     */
    public String attach(TranslatedGraph g, String output, HostTensor target) {
        SameDiff sd = g.sameDiff();
        OnnxValue out = g.value(output);
        SDVariable loss;
        switch (this) {
            case GRAPH -> {
                if (HostTensor.numel(out.shape()) != 1) {
                    throw new CurvatureException("--loss graph needs a scalar graph output; '" + output + "' has shape "
                            + Arrays.toString(out.shape()));
                }
                loss = sd.reshape("landscape_loss", out.var(), new long[0]);
            }
            case MSE -> {
                requireTarget(target);
                if (target.numel() != HostTensor.numel(out.shape())) {
                    throw new CurvatureException("MSE: target has shape " + Arrays.toString(target.shape())
                            + " but output '" + output + "' has shape " + Arrays.toString(out.shape()));
                }
                SDVariable t = sd.constant("landscape_target", OnnxGraphTranslator.array(
                        new HostTensor(out.shape(), target.values(), false)));
                loss = sd.mean("landscape_loss", sd.math.square(out.var().sub(t)));
            }
            case CROSS_ENTROPY -> {
                requireTarget(target);
                long[] shape = out.shape();
                int axis = target.integral() ? classAxis(target, shape, output) : 1;
                HostTensor mask;
                long count;
                if (target.integral()) {
                    OneHot hot = OneHot.encode("cross-entropy on output '" + output + "'", target, shape, axis,
                            OneHot.PYTORCH_IGNORE_INDEX);
                    mask = hot.mask();
                    count = hot.count();
                } else {
                    mask = probabilities(target, shape, output);
                    count = HostTensor.numel(shape) / shape[1];
                }
                SDVariable logits = out.var();
                SDVariable shifted = logits.sub(sd.max(logits, true, axis));
                SDVariable logp = shifted.sub(sd.math.log(sd.sum(sd.math.exp(shifted), true, axis)));
                SDVariable m = sd.constant("landscape_target", OnnxGraphTranslator.array(mask));
                loss = sd.sum(logp.mul(m)).mul("landscape_loss", -1.0 / count);
            }
            default -> throw new AssertionError(this);
        }
        sd.setLossVariables(loss);
        return loss.name();
    }

    /**
     * The class axis of the logits for integer targets: axis 1 as {@code nn.CrossEntropyLoss} ([N, C, d1, ...]
     * with targets [N, d1, ...]), or else the last axis, as a language model's [B, T, V] logits with [B, T] labels.
     */
    private static int classAxis(HostTensor target, long[] logits, String output) {
        if (logits.length >= 2 && Arrays.equals(target.shape(), Shapes.without(logits, 1))) {
            return 1;
        }
        if (logits.length >= 2 && Arrays.equals(target.shape(), Shapes.without(logits, logits.length - 1))) {
            return logits.length - 1;
        }
        throw new CurvatureException("cross-entropy: integer targets of shape " + Arrays.toString(target.shape())
                + " fit neither class axis of output '" + output + "' " + Arrays.toString(logits) + " (expected "
                + (logits.length < 2 ? "logits of at least 2 dimensions" : Arrays.toString(Shapes.without(logits, 1))
                + " for classes on axis 1, or " + Arrays.toString(Shapes.without(logits, logits.length - 1))
                + " for classes on the last axis") + ")");
    }

    private static HostTensor probabilities(HostTensor target, long[] logits, String output) {
        if (!Arrays.equals(target.shape(), logits)) {
            throw new CurvatureException("cross-entropy: a float target must hold class probabilities of the logits' "
                    + "shape " + Arrays.toString(logits) + " (output '" + output + "'), got " + Arrays.toString(target.shape())
                    + "; integer class indices are stored as an integer dtype (I64, I32)");
        }
        return target;
    }

    private static void requireTarget(HostTensor target) {
        if (target == null) {
            throw new CurvatureException("the batch has no tensor named 'target', which the mse and cross-entropy "
                    + "losses need (or use --loss graph with a graph that computes its loss)");
        }
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
