package dev.landscape.probe.curvature;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.Arrays;
import java.util.Locale;

/**
 * The loss put on top of the model's output, matching PyTorch's defaults so that numbers agree with the trainer's
 * logs: {@code mse} is {@code nn.MSELoss()} (mean over every element), {@code cross-entropy} is
 * {@code nn.CrossEntropyLoss()} (log-softmax over axis 1, mean over the batch and any extra axes) with integer
 * class targets, or with class probabilities of the logits' shape; {@code graph} uses a scalar output the graph
 * already computes (exported with its loss).
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
                HostTensor mask = target.integral()
                        ? OneHot.encode("cross-entropy on output '" + output + "'", target, out.shape())
                        : probabilities(target, out.shape(), output);
                SDVariable logits = out.var();
                SDVariable shifted = logits.sub(sd.max(logits, true, 1));
                SDVariable logp = shifted.sub(sd.math.log(sd.sum(sd.math.exp(shifted), true, 1)));
                SDVariable m = sd.constant("landscape_target", OnnxGraphTranslator.array(mask));
                SDVariable perItem = sd.math.neg(sd.sum(logp.mul(m), false, 1));
                loss = sd.mean("landscape_loss", perItem);
            }
            default -> throw new AssertionError(this);
        }
        sd.setLossVariables(loss);
        return loss.name();
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
