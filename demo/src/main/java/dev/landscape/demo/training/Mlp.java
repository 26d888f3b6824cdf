package dev.landscape.demo.training;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The student model, {@code fc2(tanh(fc1(x)))}, with PyTorch's {@code nn.Linear} layout ({@code weight [out, in]},
 * {@code bias [out]}) and names, and {@code nn.CrossEntropyLoss()} (mean over the batch). Backward is written out by
 * hand in ND4J float32 ops: for a two-layer network it is a dozen lines and keeps every step cheap and reproducible.
 */
final class Mlp {

    /** Parameter names in {@code model.named_parameters()} order. */
    static final List<String> PARAMETERS = List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");

    /** The loss of a batch and the gradient of every parameter (same names and shapes). */
    record LossAndGradient(double loss, Map<String, INDArray> gradients) {
    }

    private Mlp() {
    }

    /** {@code nn.Linear}'s default initialisation: weight and bias uniform in ±1/√fan_in. */
    static Map<String, INDArray> initialise(TrainingConfig c, Random r) {
        Map<String, INDArray> p = new LinkedHashMap<>();
        p.put("fc1.weight", uniform(r, c.inputs(), c.hidden(), c.inputs()));
        p.put("fc1.bias", uniform(r, c.inputs(), c.hidden()));
        p.put("fc2.weight", uniform(r, c.hidden(), c.classes(), c.hidden()));
        p.put("fc2.bias", uniform(r, c.hidden(), c.classes()));
        return p;
    }

    /** Logits {@code [n, classes]} at {@code p} for {@code inputs}. */
    static INDArray logits(Map<String, INDArray> p, INDArray inputs) {
        return forward(p, inputs).logits;
    }

    /** Mean cross-entropy of {@code batch} at {@code p}. */
    static double loss(Map<String, INDArray> p, SyntheticData.Batch batch, int classes) {
        Forward f = forward(p, batch.inputs());
        return crossEntropy(f.logits, batch.oneHot(classes), batch.size()).loss;
    }

    /** Loss and gradients of the mean cross-entropy of {@code batch}, inputs scaled by {@code inputScale}. */
    static LossAndGradient lossAndGradient(Map<String, INDArray> p, SyntheticData.Batch batch, int classes,
                                           double inputScale) {
        INDArray x = inputScale == 1 ? batch.inputs() : batch.inputs().mul(inputScale);
        int n = batch.size();
        Forward f = forward(p, x);
        CrossEntropy ce = crossEntropy(f.logits, batch.oneHot(classes), n);
        INDArray dz2 = ce.probabilities.subi(batch.oneHot(classes)).divi(n);
        Map<String, INDArray> g = new LinkedHashMap<>();
        INDArray dh = dz2.mmul(p.get("fc2.weight"));
        INDArray dz1 = dh.muli(f.hidden.mul(f.hidden).rsubi(1));
        g.put("fc1.weight", dz1.transpose().mmul(x));
        g.put("fc1.bias", dz1.sum(0));
        g.put("fc2.weight", dz2.transpose().mmul(f.hidden));
        g.put("fc2.bias", dz2.sum(0));
        return new LossAndGradient(ce.loss, g);
    }

    private record Forward(INDArray hidden, INDArray logits) {
    }

    private record CrossEntropy(double loss, INDArray probabilities) {
    }

    private static Forward forward(Map<String, INDArray> p, INDArray x) {
        INDArray z1 = x.mmul(p.get("fc1.weight").transpose()).addiRowVector(p.get("fc1.bias"));
        INDArray h = Transforms.tanh(z1, false);
        INDArray z2 = h.mmul(p.get("fc2.weight").transpose()).addiRowVector(p.get("fc2.bias"));
        return new Forward(h, z2);
    }

    /** Log-softmax with the row maximum subtracted, as PyTorch computes it, and the softmax for backward. */
    private static CrossEntropy crossEntropy(INDArray logits, INDArray oneHot, int n) {
        INDArray shifted = logits.subColumnVector(logits.max(true, 1));
        INDArray exp = Transforms.exp(shifted, true);
        INDArray sum = exp.sum(true, 1);
        INDArray logProbabilities = shifted.subColumnVector(Transforms.log(sum, true));
        double loss = -logProbabilities.muli(oneHot).sumNumber().doubleValue() / n;
        return new CrossEntropy(loss, exp.diviColumnVector(sum));
    }

    private static INDArray uniform(Random r, int fanIn, long... shape) {
        double bound = 1 / Math.sqrt(fanIn);
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        float[] v = new float[(int) count];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((2 * r.nextDouble() - 1) * bound);
        }
        return Nd4j.create(v, shape, DataType.FLOAT);
    }
}
