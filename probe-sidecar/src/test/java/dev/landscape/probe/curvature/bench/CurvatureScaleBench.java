package dev.landscape.probe.curvature.bench;

import dev.landscape.contract.Tier2Memory;
import dev.landscape.probe.cli.ProcessMemory;
import dev.landscape.probe.checkpoint.Checkpoint;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.checkpoint.DType;
import dev.landscape.probe.checkpoint.SafetensorsWriter;
import dev.landscape.probe.curvature.BenchModels;
import dev.landscape.probe.curvature.CurvatureInputs;
import dev.landscape.probe.curvature.CurvatureModel;
import dev.landscape.probe.curvature.linalg.FiniteDifferenceHvp;
import dev.landscape.probe.curvature.GptModel;
import dev.landscape.probe.curvature.HostTensor;
import dev.landscape.probe.curvature.linalg.Lanczos;
import dev.landscape.probe.curvature.LanczosPlanner;
import dev.landscape.probe.curvature.LossHead;
import dev.landscape.probe.curvature.ParameterSubset;
import dev.landscape.probe.curvature.WeightBinder;
import dev.landscape.probe.curvature.WeightBinding;
import onnx.Onnx;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Not a test: {@code bench/curvature-scale.sh} runs it, one JVM per case so that each case's peak memory is its own.
 * {@code generate DIR gpt|mlp PARAMS} writes an ONNX model (with its initializer data, as an export has), an eval batch
 * and an F32 checkpoint; {@code measure DIR [GLOBS|all] [TOL] [REPS]} goes the production path on them (model memory
 * mapped, weights streamed from the checkpoint into ND4J, the Lanczos basis sized to the free heap) and prints one
 * Markdown row: build time, time per gradient and per HVP, lambda_max to the residual tolerance (relative error
 * bound; TOL 0 skips it), the heap's peak and what it has committed at the end, the process's peak resident set
 * (VmHWM), that peak less the committed heap (the native part, which the formula's native term must cover) and what
 * {@link Tier2Memory} would provision.
 */
public final class CurvatureScaleBench {

    private CurvatureScaleBench() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            switch (args[0]) {
                case "generate" -> generate(Path.of(args[1]), args[2], Long.parseLong(args[3]), out);
                case "plan" -> plan(Path.of(args[1]), args[2], args[3], out);
                case "options" -> out.println(Tier2Memory.javaToolOptions(Long.parseLong(args[1]), true, args[2]));
                case "env" -> Tier2Memory.environment(1).forEach((k, v) -> out.println("export " + k + "=" + v));
                case "measure" -> measure(Path.of(args[1]), args.length > 2 ? args[2] : "all",
                        args.length > 3 ? Double.parseDouble(args[3]) : 1e-2, args.length > 4 ? Integer.parseInt(args[4]) : 3, out);
                default -> throw new IllegalArgumentException("generate DIR gpt|mlp PARAMS | plan DIR GLOBS|all CACHE_DIR | options HEAP_MIB CACHE_DIR | env | measure DIR [GLOBS|all] [TOL] [REPS]");
            }
        } finally {
            out.flush();
        }
    }

    /**
     * {@code gpt}: a GPT-2-shaped language model ({@link GptModel}, the node patterns of {@code torch.onnx.export},
     * Hugging Face names, tied LM head) on 2 sequences of 64 tokens: about 1 M parameters (vocabulary 2,048, width 128,
     * 4 blocks), about 10 M (8,192, 256, 10 blocks) or GPT-2 small (124,439,808). {@code mlp}: 512 -> h -> h -> 10
     * (tanh, Gemm as nn.Linear exports), h chosen for about {@code params} parameters.
     */
    static void generate(Path dir, String kind, long params, PrintStream out) throws IOException {
        if (kind.equals("gpt")) {
            generateGpt(dir, params, out);
            return;
        }
        if (!kind.equals("mlp")) {
            throw new IllegalArgumentException("unknown model kind " + kind);
        }
        int in = 512;
        int h = (int) Math.round((-(in + 12) + Math.sqrt((in + 12.0) * (in + 12) + 4.0 * (params - 10))) / 2);
        BenchModels.Problem p = BenchModels.problem(32, in, h, 10, 2);
        Files.createDirectories(dir);
        Onnx.GraphProto.Builder g = p.model().getGraph().toBuilder().clearInitializer();
        SafetensorsWriter checkpoint = new SafetensorsWriter();
        long total = 0;
        for (Onnx.TensorProto init : p.model().getGraph().getInitializerList()) {
            HostTensor w = p.weights().get(init.getName());
            g.addInitializer(withData(init, w.values()));
            checkpoint.add(init.getName(), DType.F32, w.shape(), w.values());
            total += w.numel();
        }
        Files.write(dir.resolve("model.onnx"), p.model().toBuilder().setGraph(g).build().toByteArray());
        checkpoint.write(dir.resolve("checkpoint.safetensors"));
        SafetensorsWriter batch = new SafetensorsWriter();
        for (Map.Entry<String, HostTensor> e : p.batch().entrySet()) {
            HostTensor t = e.getValue();
            batch.add(e.getKey(), t.integral() ? DType.I64 : DType.F32, t.shape(), t.values());
        }
        batch.write(dir.resolve("batch.safetensors"));
        out.printf(Locale.ROOT, "generated MLP 512-%d-%d-10, %,d parameters, in %s%n", h, h, total, dir);
    }

    private static void generateGpt(Path dir, long params, PrintStream out) throws IOException {
        int batch = 2;
        int seq = 64;
        GptModel.Config c = params < 3_000_000 ? new GptModel.Config(2048, 256, 128, 512, 4, 4, batch, seq)
                : params < 30_000_000 ? new GptModel.Config(8192, 512, 256, 1024, 10, 8, batch, seq)
                : GptModel.Config.gpt2Small(batch, seq);
        Files.createDirectories(dir);
        Onnx.ModelProto model = GptModel.graph(c, false);
        Onnx.GraphProto.Builder g = model.getGraph().toBuilder().clearInitializer();
        SafetensorsWriter checkpoint = new SafetensorsWriter();
        for (Onnx.TensorProto init : model.getGraph().getInitializerList()) {
            HostTensor w = GptModel.weight(c, init.getName(), init.getDimsList().stream().mapToLong(Long::longValue)
                    .toArray(), 0.02, 1);
            g.addInitializer(withData(init, w.values()));
            checkpoint.add(init.getName(), DType.F32, w.shape(), w.values());
            if (init.getName().equals("transformer.wte.weight")) {
                checkpoint.add("lm_head.weight", DType.F32, w.shape(), w.values());
            }
        }
        Files.write(dir.resolve("model.onnx"), model.toBuilder().setGraph(g).build().toByteArray());
        checkpoint.write(dir.resolve("checkpoint.safetensors"));
        java.util.Random rng = new java.util.Random(5);
        double[] ids = new double[batch * seq];
        double[] target = new double[ids.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rng.nextInt(c.vocab());
        }
        for (int i = 0; i < ids.length; i++) {
            target[i] = (i + 1) % seq == 0 ? -100 : ids[i + 1];
        }
        new SafetensorsWriter().add("input_ids", DType.I64, new long[] {batch, seq}, ids)
                .add("target", DType.I64, new long[] {batch, seq}, target).write(dir.resolve("batch.safetensors"));
        out.printf(Locale.ROOT, "generated GPT-2-shaped model (vocabulary %d, width %d, %d blocks, %d heads), %,d parameters, "
                + "%d x %d tokens, in %s%n", c.vocab(), c.embd(), c.layers(), c.heads(), c.parameterCount(), batch, seq, dir);
    }

    private static Onnx.TensorProto withData(Onnx.TensorProto init, double[] values) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(values.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            b.putFloat((float) v);
        }
        return init.toBuilder().setRawData(org.nd4j.shade.protobuf.ByteString.copyFrom(b.array())).build();
    }

    /**
     * Prints the memory limit (MiB) and the JVM options the webhook would give a tier-2 sidecar for this model and
     * subset (top 1):
     * the parameter counts read from the ONNX initializers, as {@code spec.metrics.modelParameters} and
     * {@code subsetParameters} would state them.
     */
    static void plan(Path dir, String globs, String cacheDir, PrintStream out) throws IOException {
        Onnx.ModelProto model = CurvatureInputs.readModel(dir.resolve("model.onnx"));
        List<String> names = new java.util.ArrayList<>();
        Map<String, Long> sizes = new java.util.HashMap<>();
        for (Onnx.TensorProto init : model.getGraph().getInitializerList()) {
            names.add(init.getName());
            sizes.put(init.getName(), init.getDimsList().stream().mapToLong(Long::longValue).reduce(1, Math::multiplyExact));
        }
        ParameterSubset subset = globs.equals("all") ? ParameterSubset.ALL : ParameterSubset.of(List.of(globs.split(",")));
        long all = sizes.values().stream().mapToLong(Long::longValue).sum();
        long analysed = subset.select(names, Map.of()).stream().mapToLong(sizes::get).sum();
        Tier2Memory t = Tier2Memory.of(all, analysed, 1, Tier2Memory.FLOAT_BYTES);
        out.println(t.limitMiB() + " " + Tier2Memory.javaToolOptions(t.heapMiB(), true, cacheDir));
    }

    static void measure(Path dir, String globs, double tol, int reps, PrintStream out) throws IOException {
        CheckpointFormats formats = CheckpointFormats.standard();
        ParameterSubset subset = globs.equals("all") ? ParameterSubset.ALL : ParameterSubset.of(List.of(globs.split(",")));
        long t0 = System.nanoTime();
        Onnx.ModelProto model = CurvatureInputs.readModel(dir.resolve("model.onnx"));
        Map<String, HostTensor> batch = CurvatureInputs.readBatch(dir.resolve("batch.safetensors"), formats);
        try (Checkpoint cp = formats.open(dir.resolve("checkpoint.safetensors"))) {
            WeightBinding binding = WeightBinder.bind(model, cp, false);
            CurvatureModel m = CurvatureModel.build(model, batch, binding, LossHead.CROSS_ENTROPY, null, subset);
            double buildS = (System.nanoTime() - t0) / 1e9;
            System.gc();
            long liveAfterBuild = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20;
            long rssAfterBuild = ProcessMemory.status("VmRSS:") >> 20;
            double[] w = m.pointView();
            int n = w.length;
            double[] g = new double[n];
            long t1 = System.nanoTime();
            m.loss().lossAndGradient(w, g);
            double firstGradS = (System.nanoTime() - t1) / 1e9;
            t1 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                m.loss().lossAndGradient(w, g);
            }
            double gradS = (System.nanoTime() - t1) / 1e9 / reps;
            FiniteDifferenceHvp hvp = new FiniteDifferenceHvp(m.loss(), w);
            double[] hv = new double[n];
            t1 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                hvp.apply(g, hv);
            }
            double hvpS = (System.nanoTime() - t1) / 1e9 / reps;
            g = null;
            hv = null;
            String lanczos = "| - | - | - | - | - | (not run) ";
            if (tol > 0) {
                LanczosPlanner.Plan plan = LanczosPlanner.planNow(n, 1, 100, tol);
                t1 = System.nanoTime();
                Lanczos.Result r = Lanczos.topEigenvalues(hvp, 1, tol, 100, 0, plan.settings(), (i, v) -> { });
                double lanczosS = (System.nanoTime() - t1) / 1e9;
                lanczos = String.format(Locale.ROOT, "| %.5g | %.1e | %d | %s | %.0f | %s ", r.eigenvalues()[0],
                        r.residuals()[0] / Math.abs(r.eigenvalues()[0]), r.products(), r.converged() ? "yes" : "NO",
                        lanczosS, plan.note() == null ? "double, " + plan.settings().maxBasis() + " (unbounded)"
                                : plan.note().replace("Lanczos basis: ", "")
                                + (r.restarts() > 0 ? ", " + r.restarts() + " restarts" : ""));
            }
            int all = m.allParameters().dimension();
            long differentiated = m.footprint().differentiatedParameters();
            Tier2Memory webhook = Tier2Memory.of(all, n, 1, Tier2Memory.FLOAT_BYTES);
            Tier2Memory provision = m.footprint().need(1, Tier2Memory.FLOAT_BYTES);
            long heapCommitted = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
            long residentPeak = ProcessMemory.now().residentPeakBytes();
            out.printf(Locale.ROOT, "| %s | %,d | %,d | %,d | %.1f | %.2f (first %.2f) | %.2f %s| %,d | %,d / %,d | %,d | %,d / %,d | %,d | %,d | %,d / %,d |%n",
                    dir.getFileName(), all, n, differentiated, buildS, gradS, firstGradS, hvpS, lanczos,
                    Runtime.getRuntime().maxMemory() >> 20, liveAfterBuild, ProcessMemory.now().heapPeakBytes() >> 20,
                    heapCommitted >> 20, rssAfterBuild, residentPeak >> 20, (residentPeak - heapCommitted) >> 20,
                    webhook.limitMiB(), provision.heapMiB(), provision.limitMiB());
        }
    }
}
