package dev.landscape.probe.testing;

import dev.landscape.probe.checkpoint.DType;
import dev.landscape.probe.checkpoint.SafetensorsWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.IntToDoubleFunction;

/**
 * Real optimisation in plain Java with exact gradients, writing one safetensors checkpoint per step in the layout
 * of {@code SafetensorsMetadata}: weights as {@code model.<layer>.<param>}, Adam moments as
 * {@code optimizer.exp_avg.<param>} / {@code optimizer.exp_avg_sq.<param>}, and step, loss, grad_norm,
 * learning_rate, optimizer, optimizer.lr/beta1/beta2/eps/step in {@code __metadata__}. Optimizer updates follow
 * {@code torch.optim.SGD} (without, and with momentum 0.9 and dampening 0: {@code optimizer.momentum_buffer.<param>})
 * and {@code torch.optim.Adam} exactly.
 */
public final class TestTrainer {

    /** A differentiable objective over named parameter blocks. */
    public interface Objective {
        /** Loss at {@code params} for training step {@code step}; fills {@code grads} (same layout). */
        double lossAndGradient(Map<String, double[]> params, Map<String, double[]> grads, int step);
    }

    public enum Optimizer { SGD, MOMENTUM, ADAM }

    private final Objective objective;
    private final Map<String, double[]> params;
    private final Map<String, long[]> shapes;
    private final Optimizer optimizer;
    private IntToDoubleFunction lr;
    private final double beta1 = 0.9;
    private final double beta2 = 0.999;
    private final double eps = 1e-8;
    private final double momentum = 0.9;
    private final Map<String, double[]> m = new LinkedHashMap<>();
    private final Map<String, double[]> v = new LinkedHashMap<>();
    private DType dtype = DType.F32;

    public TestTrainer(Objective objective, Map<String, double[]> initial, Map<String, long[]> shapes, Optimizer optimizer,
                       IntToDoubleFunction lr) {
        this.objective = objective;
        this.params = new LinkedHashMap<>();
        initial.forEach((k, x) -> params.put(k, x.clone()));
        this.shapes = shapes;
        this.optimizer = optimizer;
        this.lr = lr;
        params.forEach((k, x) -> {
            m.put(k, new double[x.length]);
            v.put(k, new double[x.length]);
        });
    }

    public TestTrainer dtype(DType dtype) {
        this.dtype = dtype;
        return this;
    }

    public Map<String, double[]> params() {
        return params;
    }

    /** Runs steps 1..{@code steps}, writing {@code step_N.safetensors} into {@code dir} after every step. */
    public void run(int steps, Path dir) {
        writeCheckpoint(dir, 0, Double.NaN, Double.NaN, lr.applyAsDouble(1), false);
        for (int s = 1; s <= steps; s++) {
            Map<String, double[]> grads = new LinkedHashMap<>();
            params.forEach((k, x) -> grads.put(k, new double[x.length]));
            double loss = objective.lossAndGradient(params, grads, s);
            double gsq = 0;
            for (double[] g : grads.values()) {
                for (double x : g) {
                    gsq += x * x;
                }
            }
            double eta = lr.applyAsDouble(s);
            for (String k : params.keySet()) {
                double[] x = params.get(k);
                double[] g = grads.get(k);
                if (optimizer == Optimizer.SGD) {
                    for (int i = 0; i < x.length; i++) {
                        x[i] -= eta * g[i];
                    }
                } else if (optimizer == Optimizer.MOMENTUM) {
                    double[] buf = m.get(k);
                    for (int i = 0; i < x.length; i++) {
                        buf[i] = s == 1 ? g[i] : momentum * buf[i] + g[i];
                        x[i] -= eta * buf[i];
                    }
                } else {
                    double[] mk = m.get(k);
                    double[] vk = v.get(k);
                    double bc1 = 1 - Math.pow(beta1, s);
                    double bc2 = 1 - Math.pow(beta2, s);
                    for (int i = 0; i < x.length; i++) {
                        mk[i] = beta1 * mk[i] + (1 - beta1) * g[i];
                        vk[i] = beta2 * vk[i] + (1 - beta2) * g[i] * g[i];
                        x[i] -= eta * (mk[i] / bc1) / (Math.sqrt(vk[i] / bc2) + eps);
                    }
                }
            }
            writeCheckpoint(dir, s, loss, Math.sqrt(gsq), eta, true);
        }
    }

    private void writeCheckpoint(Path dir, int step, double loss, double gradNorm, double eta, boolean logged) {
        SafetensorsWriter w = new SafetensorsWriter();
        params.forEach((k, x) -> w.add(k, dtype, shapes.get(k), x));
        if (optimizer == Optimizer.MOMENTUM && step > 0) {
            m.forEach((k, x) -> w.add("optimizer.momentum_buffer." + k, dtype, shapes.get(k), x));
        }
        if (optimizer == Optimizer.ADAM && step > 0) {
            m.forEach((k, x) -> w.add("optimizer.exp_avg." + k, dtype, shapes.get(k), x));
            v.forEach((k, x) -> w.add("optimizer.exp_avg_sq." + k, dtype, shapes.get(k), x));
        }
        w.metadata("step", Integer.toString(step));
        if (logged) {
            w.metadata("loss", Double.toString(loss)).metadata("grad_norm", Double.toString(gradNorm))
                    .metadata("learning_rate", Double.toString(eta));
        }
        if (optimizer == Optimizer.MOMENTUM) {
            w.metadata("optimizer.momentum", Double.toString(momentum));
        }
        w.metadata("optimizer", switch (optimizer) {
                    case SGD -> "sgd";
                    case MOMENTUM -> "sgd-momentum";
                    case ADAM -> "adam";
                }).metadata("optimizer.lr", Double.toString(eta))
                .metadata("optimizer.step", Integer.toString(step));
        if (optimizer == Optimizer.ADAM) {
            w.metadata("optimizer.beta1", Double.toString(beta1)).metadata("optimizer.beta2", Double.toString(beta2))
                    .metadata("optimizer.eps", Double.toString(eps));
        }
        try {
            w.write(dir.resolve("step_" + step + ".safetensors"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- objectives ----

    /** {@code f(θ) = ½ θᵀHθ} with {@code H = Qᵀ diag(λ) Q} for a random rotation {@code Q}; {@code θ} split in two tensors. */
    public static final class Quadratic implements Objective {
        public final double[][] hessian;
        private final int split;

        public Quadratic(double[] eigenvalues, long seed) {
            int d = eigenvalues.length;
            double[][] q = randomRotation(d, new Random(seed));
            hessian = new double[d][d];
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    double s = 0;
                    for (int k = 0; k < d; k++) {
                        s += q[k][i] * eigenvalues[k] * q[k][j];
                    }
                    hessian[i][j] = s;
                }
            }
            split = d / 2;
        }

        public Map<String, double[]> initial(long seed) {
            Random r = new Random(seed);
            int d = hessian.length;
            Map<String, double[]> p = new LinkedHashMap<>();
            p.put("model.a.weight", r.doubles(split).map(x -> x - 0.5).toArray());
            p.put("model.b.weight", r.doubles(d - split).map(x -> x - 0.5).toArray());
            return p;
        }

        public Map<String, long[]> shapes() {
            return Map.of("model.a.weight", new long[] {split}, "model.b.weight", new long[] {hessian.length - split});
        }

        @Override
        public double lossAndGradient(Map<String, double[]> params, Map<String, double[]> grads, int step) {
            double[] a = params.get("model.a.weight");
            double[] b = params.get("model.b.weight");
            int d = hessian.length;
            double[] x = new double[d];
            System.arraycopy(a, 0, x, 0, a.length);
            System.arraycopy(b, 0, x, a.length, b.length);
            double[] g = new double[d];
            double loss = 0;
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    g[i] += hessian[i][j] * x[j];
                }
                loss += 0.5 * x[i] * g[i];
            }
            System.arraycopy(g, 0, grads.get("model.a.weight"), 0, a.length);
            System.arraycopy(g, a.length, grads.get("model.b.weight"), 0, b.length);
            return loss;
        }

        /** Gram–Schmidt on Gaussian rows: a Haar-random rotation of {@code d} dimensions. */
        public static double[][] randomRotation(int d, Random r) {
            double[][] q = new double[d][d];
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    q[i][j] = r.nextGaussian();
                }
                for (int k = 0; k < i; k++) {
                    double dot = 0;
                    for (int j = 0; j < d; j++) {
                        dot += q[i][j] * q[k][j];
                    }
                    for (int j = 0; j < d; j++) {
                        q[i][j] -= dot * q[k][j];
                    }
                }
                double n = Math.sqrt(Arrays.stream(q[i]).map(x -> x * x).sum());
                for (int j = 0; j < d; j++) {
                    q[i][j] /= n;
                }
            }
            return q;
        }
    }

    /**
     * A 2-layer tanh MLP ({@code in → hidden → 1}) with mean-squared error on a fixed synthetic regression set,
     * full batch. Hooks corrupt one step's batch: {@link #targetScaleAt} multiplies that step's targets (a bad
     * batch: loss and gradient spike), {@link #nanAt} puts a NaN into that step's inputs (NaN gradients).
     */
    public static final class Mlp implements Objective {
        final int in;
        final int hidden;
        final double[][] x;
        final double[] y;
        public int targetScaleStep = -1;
        public double targetScale = 1;
        public int nanStep = -1;

        public Mlp(int in, int hidden, int samples, long seed) {
            this.in = in;
            this.hidden = hidden;
            Random r = new Random(seed);
            x = new double[samples][in];
            y = new double[samples];
            for (int n = 0; n < samples; n++) {
                double s = 0;
                for (int i = 0; i < in; i++) {
                    x[n][i] = r.nextGaussian();
                    s += (i + 1) * x[n][i];
                }
                y[n] = Math.sin(s / in) + 0.5 * x[n][0] * x[n][1 % in];
            }
        }

        public Mlp targetScaleAt(int step, double scale) {
            targetScaleStep = step;
            targetScale = scale;
            return this;
        }

        public Mlp nanAt(int step) {
            nanStep = step;
            return this;
        }

        public Map<String, double[]> initial(long seed) {
            Random r = new Random(seed);
            Map<String, double[]> p = new LinkedHashMap<>();
            p.put("model.fc1.weight", r.doubles(hidden * in).map(v -> (v - 0.5) * 2 / Math.sqrt(in)).toArray());
            p.put("model.fc1.bias", new double[hidden]);
            p.put("model.fc2.weight", r.doubles(hidden).map(v -> (v - 0.5) * 2 / Math.sqrt(hidden)).toArray());
            p.put("model.fc2.bias", new double[1]);
            return p;
        }

        public Map<String, long[]> shapes() {
            return Map.of("model.fc1.weight", new long[] {hidden, in}, "model.fc1.bias", new long[] {hidden},
                    "model.fc2.weight", new long[] {1, hidden}, "model.fc2.bias", new long[] {1});
        }

        @Override
        public double lossAndGradient(Map<String, double[]> p, Map<String, double[]> g, int step) {
            double[] w1 = p.get("model.fc1.weight");
            double[] b1 = p.get("model.fc1.bias");
            double[] w2 = p.get("model.fc2.weight");
            double[] b2 = p.get("model.fc2.bias");
            double[] gw1 = g.get("model.fc1.weight");
            double[] gb1 = g.get("model.fc1.bias");
            double[] gw2 = g.get("model.fc2.weight");
            double[] gb2 = g.get("model.fc2.bias");
            int samples = x.length;
            double loss = 0;
            double[] h = new double[hidden];
            for (int n = 0; n < samples; n++) {
                double[] xn = x[n].clone();
                if (step == nanStep && n == 0) {
                    xn[0] = Double.NaN;
                }
                double target = step == targetScaleStep ? y[n] * targetScale : y[n];
                double out = b2[0];
                for (int j = 0; j < hidden; j++) {
                    double a = b1[j];
                    for (int i = 0; i < in; i++) {
                        a += w1[j * in + i] * xn[i];
                    }
                    h[j] = Math.tanh(a);
                    out += w2[j] * h[j];
                }
                double err = out - target;
                loss += err * err / samples;
                double dOut = 2 * err / samples;
                gb2[0] += dOut;
                for (int j = 0; j < hidden; j++) {
                    gw2[j] += dOut * h[j];
                    double dA = dOut * w2[j] * (1 - h[j] * h[j]);
                    gb1[j] += dA;
                    for (int i = 0; i < in; i++) {
                        gw1[j * in + i] += dA * xn[i];
                    }
                }
            }
            return loss;
        }
    }
}
