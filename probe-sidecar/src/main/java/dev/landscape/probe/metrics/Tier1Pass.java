package dev.landscape.probe.metrics;

import dev.landscape.probe.checkpoint.Checkpoint;
import dev.landscape.probe.checkpoint.CheckpointException;
import dev.landscape.probe.checkpoint.ElementStream;
import dev.landscape.probe.checkpoint.Tensor;
import dev.landscape.probe.checkpoint.TensorInfo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One streaming pass over a checkpoint {@code t}, reading each parameter side by side with the same parameter in
 * checkpoint {@code t−1} and with the optimizer state of that parameter in both, {@link #CHUNK} elements at a time.
 * Memory is the chunk buffers (at most six streams × 64 KiB), the two global sketches and one fingerprint per
 * tensor, whatever the checkpoint's size. Every element is read once; nothing of the tensors is retained.
 *
 * <p>Accumulated in double: {@code ‖θ_t‖², ‖θ_{t−1}‖², ‖Δθ‖²}, non-finite counts of every tensor of {@code t},
 * {@code ‖m̂‖²}, {@code Σ v̂}, the recovered interval gradient {@code ḡ} ({@link OptimizerSetup#gradientWeights}):
 * {@code ‖ḡ‖²}, {@code ⟨ḡ, Δθ⟩} and {@code Σ (√v̂ + ε)·Δθ²}, the global sketches {@code S(Δθ)}, {@code S(ḡ)} and
 * {@code S(ḡ/√(√v̂ + ε))}
 * (one hash per element keyed by tensor salt + index), and a per-tensor fingerprint {@code S_fp(θ_t)} keyed by the
 * element index alone so that ranks agree. Non-finite elements are counted and left out of every sum and sketch.
 */
final class Tier1Pass {

    static final int CHUNK = 8192;

    private final OptimizerSetup opt;
    private final int fingerprintWidth;
    private final int directionWidth;

    Tier1Pass(OptimizerSetup opt, int fingerprintWidth, int directionWidth) {
        this.opt = opt;
        this.fingerprintWidth = fingerprintWidth;
        this.directionWidth = directionWidth;
    }

    /** What one pass produced; {@code gradDotUpdate} etc. are {@code NaN} when their inputs were absent. */
    static final class Result {
        final Map<String, TensorSums> tensors = new LinkedHashMap<>();
        final Map<String, CountSketch> fingerprints = new LinkedHashMap<>();
        final Map<String, Long> nonFiniteTensors = new LinkedHashMap<>();
        CountSketch updateSketch;
        CountSketch gradientSketch;
        /** {@code S(ḡ / √P)} with Adam's {@code P = √v̂ + ε} of this checkpoint; zero without Adam's state. */
        CountSketch preconditionedGradientSketch;
        boolean hasUpdate;
        boolean hasGradient;
        boolean hasPreconditioner;
        double gradSq;
        double gradDotUpdate;
        double preconditionedUpdateSq;
        long nonFinite;
    }

    Result run(Checkpoint cur, Checkpoint prev, long k) throws IOException {
        Result r = new Result();
        r.updateSketch = new CountSketch(directionWidth, CountSketch.DEFAULT_SEED);
        r.gradientSketch = new CountSketch(directionWidth, CountSketch.DEFAULT_SEED);
        r.preconditionedGradientSketch = new CountSketch(directionWidth, CountSketch.DEFAULT_SEED);
        Map<String, Tensor> prevByKey = prev == null ? Map.of() : index(prev);
        Map<String, Tensor> curByKey = index(cur);
        double[] gw = opt.gradientWeights(k);
        Set<Tensor> consumed = new HashSet<>();
        for (Tensor t : cur.tensors()) {
            TensorInfo info = t.info();
            if (!info.isModel() || !info.dtype().isFloatingPoint()) {
                continue;
            }
            String p = info.parameter();
            Streams s = new Streams(info);
            s.theta = t;
            s.thetaPrev = sameShape(info, prevByKey.get(key(TensorInfo.MODEL, p)));
            s.m = sameShape(info, curByKey.get(key("optimizer.exp_avg", p)));
            s.v = sameShape(info, curByKey.get(key("optimizer.exp_avg_sq", p)));
            String stateGroup = opt.gradientStateGroup();
            if (stateGroup != null && gw != null) {
                s.state = sameShape(info, curByKey.get(key(stateGroup, p)));
                s.statePrev = sameShape(info, prevByKey.get(key(stateGroup, p)));
            }
            pass(s, gw, r, cur.path(), prev == null ? null : prev.path());
            consumed.add(t);
            for (Tensor o : s.read) {
                consumed.add(o);
            }
        }
        for (Tensor t : cur.tensors()) {
            if (!consumed.contains(t) && t.info().dtype().isFloatingPoint()) {
                long bad = countNonFinite(t);
                if (bad > 0) {
                    r.nonFiniteTensors.merge(t.info().name(), bad, Long::sum);
                    r.nonFinite += bad;
                }
            }
        }
        return r;
    }

    private static final class Streams {
        final TensorInfo info;
        Tensor theta;
        Tensor thetaPrev;
        Tensor m;
        Tensor v;
        Tensor state;
        Tensor statePrev;
        /** Tensors of checkpoint t whose non-finite elements this pass counted. */
        final java.util.List<Tensor> read = new java.util.ArrayList<>();

        Streams(TensorInfo info) {
            this.info = info;
        }
    }

    private void pass(Streams s, double[] gw, Result r, Path where, Path whence) throws IOException {
        String name = s.info.name();
        long n = s.info.numel();
        boolean hasPrev = s.thetaPrev != null;
        boolean sgdGradient = opt.kind() == OptimizerSetup.Kind.SGD && gw != null && hasPrev;
        boolean stateGradient = s.state != null && s.statePrev != null && gw != null && hasPrev;
        boolean hasGrad = sgdGradient || stateGradient;
        boolean adamStats = s.m != null && Double.isFinite(opt.firstMomentCorrection()) && opt.firstMomentCorrection() > 0;
        boolean fisherStats = s.v != null && Double.isFinite(opt.secondMomentCorrection()) && opt.secondMomentCorrection() > 0;
        double bc1 = opt.firstMomentCorrection();
        double bc2 = opt.secondMomentCorrection();
        double eps = opt.eps();
        double a = gw == null ? 0 : gw[0];
        double c = gw == null ? 0 : gw[1];
        long salt = CountSketch.salt(name);

        TensorSums sums = new TensorSums();
        sums.hasUpdate = hasPrev;
        sums.hasFirstMoment = adamStats;
        sums.hasFisher = fisherStats;
        CountSketch fp = new CountSketch(fingerprintWidth, CountSketch.DEFAULT_SEED);
        long badM = 0;
        long badV = 0;
        long badState = 0;
        double gradSq = 0;
        double gradDotUpdate = 0;
        double precondSq = 0;

        double[] th = new double[CHUNK];
        double[] thp = hasPrev ? new double[CHUNK] : null;
        double[] mb = s.m != null ? new double[CHUNK] : null;
        double[] vb = s.v != null ? new double[CHUNK] : null;
        boolean stateIsM = stateGradient && s.state == s.m;
        double[] sb = stateGradient ? (stateIsM ? mb : new double[CHUNK]) : null;
        double[] spb = stateGradient ? new double[CHUNK] : null;
        try (Reader rTh = new Reader(s.theta, where); Reader rThp = new Reader(hasPrev ? s.thetaPrev : null, whence);
             Reader rM = new Reader(s.m, where); Reader rV = new Reader(s.v, where);
             Reader rS = new Reader(stateGradient && !stateIsM ? s.state : null, where);
             Reader rSp = new Reader(stateGradient ? s.statePrev : null, whence)) {
            long base = 0;
            while (base < n) {
                int len = (int) Math.min(CHUNK, n - base);
                rTh.fill(th, len);
                if (hasPrev) rThp.fill(thp, len);
                if (mb != null) rM.fill(mb, len);
                if (vb != null) rV.fill(vb, len);
                if (stateGradient) {
                    if (!stateIsM) rS.fill(sb, len);
                    rSp.fill(spb, len);
                }
                for (int i = 0; i < len; i++) {
                    long idx = base + i;
                    double x = th[i];
                    boolean xFinite = Double.isFinite(x);
                    if (xFinite) {
                        sums.paramSq += x * x;
                        fp.add(idx, x);
                    } else {
                        sums.nonFinite++;
                    }
                    double d = Double.NaN;
                    double dSketch = 0;
                    double gSketch = 0;
                    if (hasPrev) {
                        double y = thp[i];
                        d = x - y;
                        if (Double.isFinite(d)) {
                            sums.updateSq += d * d;
                            sums.prevParamSq += y * y;
                            dSketch = d;
                        }
                    }
                    if (hasGrad) {
                        double g = sgdGradient ? a * d : a * sb[i] + c * spb[i];
                        if (Double.isFinite(g)) {
                            gradSq += g * g;
                            gSketch = g;
                            if (Double.isFinite(d)) {
                                gradDotUpdate += g * d;
                            }
                        }
                        if (stateGradient && !stateIsM && !Double.isFinite(sb[i])) {
                            badState++;
                        }
                    }
                    double gPre = 0;
                    if (mb != null) {
                        double m = mb[i];
                        if (!Double.isFinite(m)) {
                            badM++;
                        } else if (adamStats) {
                            double mh = m / bc1;
                            sums.firstMomentSq += mh * mh;
                        }
                    }
                    if (vb != null) {
                        double v = vb[i];
                        if (!Double.isFinite(v)) {
                            badV++;
                        } else if (fisherStats) {
                            double vh = v / bc2;
                            sums.fisher += vh;
                            double p = Math.sqrt(Math.max(vh, 0)) + eps;
                            if (Double.isFinite(d)) {
                                precondSq += p * d * d;
                            }
                            if (p > 0) {
                                gPre = gSketch / Math.sqrt(p);
                            }
                        }
                    }
                    if (hasPrev) {
                        r.updateSketch.addWith(salt + idx, dSketch, r.gradientSketch, gSketch, r.preconditionedGradientSketch, gPre);
                    }
                }
                base += len;
            }
            rTh.expectEnd();
        }
        if (s.m != null) s.read.add(s.m);
        if (s.v != null) s.read.add(s.v);
        if (stateGradient && !stateIsM) s.read.add(s.state);
        sums.nonFinite += badM + badV + badState;
        recordNonFinite(r, name, sums.nonFinite - badM - badV - badState);
        if (s.m != null) recordNonFinite(r, s.m.info().name(), badM);
        if (s.v != null) recordNonFinite(r, s.v.info().name(), badV);
        if (stateGradient && !stateIsM) recordNonFinite(r, s.state.info().name(), badState);
        r.tensors.put(name, sums);
        r.fingerprints.put(name, fp);
        r.hasUpdate |= hasPrev;
        if (hasGrad) {
            r.hasGradient = true;
            r.gradSq += gradSq;
            r.gradDotUpdate += gradDotUpdate;
        }
        if (fisherStats && hasPrev) {
            r.hasPreconditioner = true;
            r.preconditionedUpdateSq += precondSq;
        }
    }

    private static void recordNonFinite(Result r, String tensor, long count) {
        if (count > 0) {
            r.nonFiniteTensors.merge(tensor, count, Long::sum);
            r.nonFinite += count;
        }
    }

    private static long countNonFinite(Tensor t) throws IOException {
        double[] buf = new double[CHUNK];
        long bad = 0;
        try (ElementStream in = t.open()) {
            int got;
            while ((got = in.read(buf, 0, buf.length)) >= 0) {
                for (int i = 0; i < got; i++) {
                    if (!Double.isFinite(buf[i])) {
                        bad++;
                    }
                }
            }
        }
        return bad;
    }

    private static Map<String, Tensor> index(Checkpoint cp) {
        Map<String, Tensor> byKey = new HashMap<>();
        for (Tensor t : cp.tensors()) {
            TensorInfo i = t.info();
            if (!i.parameter().isEmpty()) {
                byKey.putIfAbsent(key(i.group(), i.parameter()), t);
            }
        }
        return byKey;
    }

    private static String key(String group, String parameter) {
        return group + '\u0000' + parameter;
    }

    /** A partner tensor is used only when it lines up element for element with the parameter. */
    private static Tensor sameShape(TensorInfo info, Tensor other) {
        if (other == null || !other.info().dtype().isFloatingPoint()
                || !Arrays.equals(other.info().shape(), info.shape())) {
            return null;
        }
        return other;
    }

    /** Fills a buffer with exactly the next {@code len} elements of a tensor, or says where the tensor ended. */
    private static final class Reader implements AutoCloseable {
        private final Tensor tensor;
        private final Path file;
        private final ElementStream in;
        private long read;

        Reader(Tensor tensor, Path file) throws IOException {
            this.tensor = tensor;
            this.file = file;
            this.in = tensor == null ? null : tensor.open();
        }

        void fill(double[] dst, int len) throws IOException {
            int off = 0;
            while (off < len) {
                int got = in.read(dst, off, len - off);
                if (got < 0) {
                    throw new CheckpointException(file, "tensor " + tensor.info().name() + " ended after " + (read + off)
                            + " of " + tensor.info().numel() + " elements");
                }
                off += got;
            }
            read += len;
        }

        void expectEnd() throws IOException {
            double[] one = new double[1];
            if (in.read(one, 0, 1) > 0) {
                throw new CheckpointException(file, "tensor " + tensor.info().name() + " yields more than its "
                        + tensor.info().numel() + " elements");
            }
        }

        @Override
        public void close() throws IOException {
            if (in != null) {
                in.close();
            }
        }
    }
}
