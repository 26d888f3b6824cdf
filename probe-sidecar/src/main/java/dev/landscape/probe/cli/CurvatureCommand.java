package dev.landscape.probe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.landscape.contract.Tier2Memory;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.curvature.BackendSelector;
import dev.landscape.probe.curvature.CurvatureAnalysis;
import dev.landscape.probe.curvature.CurvatureException;
import dev.landscape.probe.curvature.CurvatureInputs;
import dev.landscape.probe.curvature.CurvatureOptions;
import dev.landscape.probe.curvature.CurvatureReport;
import dev.landscape.probe.curvature.HostTensor;
import dev.landscape.probe.curvature.LossHead;
import dev.landscape.probe.curvature.OptimizerSettings;
import dev.landscape.probe.curvature.ParameterSubset;
import dev.landscape.probe.curvature.SystemProbe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code curvature}: tier-2 analysis of one checkpoint with an ONNX model and an eval batch. Wiring only: options
 * to {@link CurvatureOptions}, {@link CurvatureAnalysis} to text or JSON. ND4J is touched only inside
 * {@link #call()}, after the backend has been chosen, so registering this command costs the other commands nothing.
 */
@Command(name = "curvature", mixinStandardHelpOptions = true,
        description = "Loss, gradient norm, top Hessian eigenvalues, Hutchinson trace, Adam-preconditioned sharpness "
                + "and loss-landscape images of a checkpoint, given its ONNX model and an eval batch.")
public final class CurvatureCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "ONNX model (initializer names = parameter names).")
    Path model;

    @Option(names = "--batch", required = true,
            description = "safetensors batch: one tensor per graph input, named as the input, plus 'target'.")
    Path batch;

    @Option(names = "--checkpoint", required = true, description = "Checkpoint file or folder whose weights are analysed.")
    Path checkpoint;

    @Option(names = "--loss", defaultValue = "auto",
            description = "mse | cross-entropy | graph | auto (default: cross-entropy for an integer target, mse for "
                    + "a float target, graph when the batch has no target).")
    String loss;

    @Option(names = "--output", description = "Graph output the loss reads (default: the first output).")
    String output;

    @Option(names = "--top-k", defaultValue = "3", description = "Top Hessian eigenvalues to compute (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--trace", description = "Estimate the Hessian trace (Hutchinson).")
    boolean trace;

    @Option(names = "--trace-probes", defaultValue = "50", description = "Hutchinson probes (default ${DEFAULT-VALUE}).")
    int traceProbes;

    @Option(names = "--tol", defaultValue = "1e-3", description = "Lanczos residual tolerance, relative (default ${DEFAULT-VALUE}).")
    double tol;

    @Option(names = "--max-iter", defaultValue = "100", description = "Lanczos step limit (default ${DEFAULT-VALUE}).")
    int maxIter;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the random start, probes and directions.")
    long seed;

    @Option(names = "--allow-missing", description = "Keep initializers the checkpoint lacks at their ONNX value.")
    boolean allowMissing;

    @Option(names = "--optimizer", description = "sgd | momentum | adam (default: from the checkpoint).")
    String optimizer;

    @Option(names = "--lr", description = "Learning rate (default: from the checkpoint).")
    Double lr;

    @Option(names = "--beta1", description = "Adam beta1.")
    Double beta1;

    @Option(names = "--beta2", description = "Adam beta2.")
    Double beta2;

    @Option(names = "--eps", description = "Adam eps.")
    Double eps;

    @Option(names = "--momentum", description = "SGD momentum.")
    Double momentum;

    @Option(names = "--optimizer-step", description = "Adam step count for bias correction.")
    Long optimizerStep;

    @Option(names = "--previous", description = "Earlier checkpoint: loss along the line from it to --checkpoint.")
    Path previous;

    @Option(names = "--slice", description = "2-D filter-normalised loss slice around the checkpoint.")
    boolean slice;

    @Option(names = "--plot-dir", description = "Write loss-line.png / loss-slice.png here.")
    Path plotDir;

    @Option(names = "--grid", defaultValue = "21", description = "Grid points per axis (default ${DEFAULT-VALUE}).")
    int grid;

    @Option(names = "--parameters", split = ",", paramLabel = "GLOB",
            description = "Measure curvature over the parameters matching these globs only (e.g. "
                    + "'transformer.h.11.*,lm_head.*'); the others are held at the checkpoint's values.")
    java.util.List<String> parameters = new java.util.ArrayList<>();

    @Option(names = "--per-block", description = "Also lambda_max of each layer's diagonal Hessian block.")
    boolean perBlock;

    @Option(names = "--gpu", defaultValue = "none", description = "none | auto (CUDA only where supported).")
    String gpu;

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @picocli.CommandLine.Mixin
    ReadOptions read = new ReadOptions();

    /** Runs the command on its own ({@code java -cp landscape-probe.jar dev.landscape.probe.cli.CurvatureCommand}). */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new CurvatureCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintStream stdout = System.out;
        String text;
        try {
            BackendSelector.Decision d = BackendSelector.apply(BackendSelector.Mode.parse(gpu), new SystemProbe());
            err.println(d.message());
            err.flush();
            CurvatureReport r;
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
            try {
                CheckpointFormats formats = CheckpointFormats.standard(read.policy());
                CurvatureOptions o = new CurvatureOptions(lossHead(formats), output, topK, tol, maxIter,
                        trace ? traceProbes : 0, seed, allowMissing, previous, slice, plotDir, grid,
                        new OptimizerSettings(optimizer, lr, beta1, beta2, eps, momentum, optimizerStep),
                        ParameterSubset.of(parameters), perBlock);
                r = new CurvatureAnalysis(formats).run(model, batch, checkpoint, o);
            } finally {
                System.setOut(stdout);
            }
            ProcessMemory memory = ProcessMemory.now();
            // the spec's subsetParameters sizes the pod: the parameters tier 2 differentiates (MemoryGuard)
            Tier2Memory pod = Tier2Memory.of(r.modelParameters(), r.differentiatedParameters(), Math.max(1, topK),
                    Tier2Memory.FLOAT_BYTES);
            text = json ? new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(CurvatureJson.of(r).withMemory(memory, pod, r.differentiatedParameters()))
                    : toText(r) + memoryText(r, memory, pod);
        } catch (CurvatureException | IOException e) {
            err.println("curvature: " + e.getMessage());
            err.flush();
            return 2;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(text);
        out.flush();
        return 0;
    }

    private LossHead lossHead(CheckpointFormats formats) throws IOException {
        if (!loss.equalsIgnoreCase("auto")) {
            return LossHead.parse(loss);
        }
        Map<String, HostTensor> b = CurvatureInputs.readBatch(batch, formats);
        HostTensor target = b.get("target");
        return target == null ? LossHead.GRAPH : target.integral() ? LossHead.CROSS_ENTROPY : LossHead.MSE;
    }

    private static String memoryText(CurvatureReport r, ProcessMemory m, Tier2Memory pod) {
        String spec = "modelParameters: " + r.modelParameters()
                + (r.differentiatedParameters() < r.modelParameters()
                ? ", subsetParameters: " + r.differentiatedParameters() : "");
        String peak = m.residentPeakBytes() < 0 ? "" : String.format(Locale.ROOT, "resident peak %d MiB, ",
                m.residentPeakBytes() / Tier2Memory.MIB);
        String text = String.format(Locale.ROOT, "%nmemory          %sheap peak %d MiB; in a pod (%s): -Xmx%dm, "
                + "memory limit %d MiB", peak, m.heapPeakBytes() / Tier2Memory.MIB, spec, pod.heapMiB(), pod.limitMiB());
        if (m.residentPeakBytes() > pod.limitBytes()) {
            text += String.format(Locale.ROOT, "%nnote: this run's resident peak exceeds that limit: the batch's "
                    + "activations need more than the formula's %d MiB; give the pod spec.sidecar.resources",
                    Tier2Memory.ACTIVATIONS / Tier2Memory.MIB);
        }
        return text;
    }

    private static String toText(CurvatureReport r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "parameters      %d%s%n", r.parameters(),
                r.parameters() == r.modelParameters() ? "" : " of " + r.modelParameters()));
        b.append(String.format(Locale.ROOT, "loss            %.6g%n", r.loss()));
        b.append(String.format(Locale.ROOT, "gradient norm   %.6g%n", r.gradNorm()));
        for (int i = 0; i < r.eigenvalues().length; i++) {
            b.append(String.format(Locale.ROOT, "lambda_%d        %.6g  (residual %.2g)%n", i + 1, r.eigenvalues()[i],
                    r.residuals()[i]));
        }
        if (r.classLosses().examples() > 0) {
            if (r.classLosses().worstClass() >= 0) {
                b.append(String.format(Locale.ROOT, "loss per class  %s (worst: class %d)%n",
                        r.classLosses().classes().entrySet().stream()
                                .map(e -> String.format(Locale.ROOT, "%d: %.4g", e.getKey(), e.getValue()))
                                .collect(java.util.stream.Collectors.joining(", ")), r.classLosses().worstClass()));
            }
            b.append(String.format(Locale.ROOT, "loss p95        %.6g (per example, %d examples)%n", r.classLosses().p95(),
                    r.classLosses().examples()));
        }
        if (r.trace() != null) {
            b.append(String.format(Locale.ROOT, "trace           %.6g +- %.2g (95%%, %d %s)%n", r.trace().mean(),
                    r.trace().halfWidth(), r.trace().probes(), r.trace().exact() ? "basis vectors, exact" : "probes"));
        }
        if (r.preconditionedSharpness() != null) {
            b.append(String.format(Locale.ROOT, "precond. sharp. %.6g%n", r.preconditionedSharpness()));
        }
        if (r.edgeOfStability() != null) {
            b.append(String.format(Locale.ROOT, "EoS ratio       %.4g (%s: sharpness %.4g / threshold %.4g)%n",
                    r.edgeOfStability().ratio(), r.edgeOfStability().rule(), r.edgeOfStability().sharpness(),
                    r.edgeOfStability().threshold()));
        }
        b.append(String.format(Locale.ROOT, "HVPs            %d (step %.2g)%n", r.hvpCount(), r.hvpStep()));
        if (!r.blocks().isEmpty()) {
            int width = r.blocks().stream().mapToInt(x -> x.name().length()).max().orElse(5);
            b.append(String.format(Locale.ROOT, "per layer (lambda_max of its diagonal Hessian block):%n"));
            for (CurvatureReport.BlockSharpness x : r.blocks()) {
                b.append(String.format(Locale.ROOT, "  %-" + width + "s  %12.6g  (residual %.2g, %,d parameters, %d HVPs)%s%n",
                        x.name(), x.lambdaMax(), x.residual(), x.parameters(), x.hvpCount(), x.converged() ? "" : " not converged"));
            }
        }
        if (r.line() != null && r.line().image() != null) {
            b.append("line plot       ").append(r.line().image()).append('\n');
        }
        if (r.slice() != null && r.slice().image() != null) {
            b.append("slice plot      ").append(r.slice().image()).append('\n');
        }
        r.notes().forEach(n -> b.append("note: ").append(n).append('\n'));
        b.append(String.format(Locale.ROOT, "time            %.1f s", r.seconds()));
        return b.toString();
    }
}
