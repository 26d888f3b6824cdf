package dev.landscape.probe.curvature.bench;

import dev.landscape.probe.checkpoint.DType;
import dev.landscape.probe.checkpoint.SafetensorsWriter;
import dev.landscape.probe.cli.CurvatureCommand;
import dev.landscape.probe.curvature.BenchModels;
import dev.landscape.probe.curvature.CurvatureModel;
import dev.landscape.probe.curvature.HostTensor;
import dev.landscape.probe.curvature.LossHead;
import dev.landscape.probe.curvature.ParameterLayout;
import dev.landscape.probe.curvature.TestBatchFiles;
import dev.landscape.probe.curvature.WeightBinding;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Not a test: writes a small model, batch and two checkpoints 100 gradient-descent steps apart to a folder, then
 * runs {@code curvature --previous --slice --plot-dir} on them, so the images can be looked at.
 * Argument: the folder (default {@code bench-data/plots}).
 */
public final class CurvaturePlotsDemo {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "bench-data/plots");
        Files.createDirectories(dir);
        BenchModels.Problem p = BenchModels.problem(128, 8, 16, 3, 1);
        CurvatureModel m = CurvatureModel.build(p.model(), p.batch(), WeightBinding.allTrainable(p.weights()),
                LossHead.CROSS_ENTROPY, null);
        Files.write(dir.resolve("model.onnx"), p.model().toByteArray());
        TestBatchFiles batch = new TestBatchFiles();
        p.batch().forEach(batch::add);
        batch.write(dir.resolve("batch.safetensors"));
        double[] w = m.point();
        double[] g = new double[w.length];
        for (int step = 1; step <= 200; step++) {
            m.loss().lossAndGradient(w, g);
            for (int i = 0; i < w.length; i++) {
                w[i] -= 0.5 * g[i];
            }
            if (step == 100 || step == 200) {
                SafetensorsWriter out = new SafetensorsWriter();
                for (ParameterLayout.Slot s : m.layout().slots()) {
                    double[] v = new double[s.length()];
                    System.arraycopy(w, s.offset(), v, 0, s.length());
                    out.add("model." + s.name(), DType.F32, s.shape(), v);
                }
                out.write(dir.resolve("step-" + step + ".safetensors"));
            }
        }
        int code = new CommandLine(new CurvatureCommand()).execute("--model", dir.resolve("model.onnx").toString(),
                "--batch", dir.resolve("batch.safetensors").toString(),
                "--checkpoint", dir.resolve("step-200.safetensors").toString(),
                "--previous", dir.resolve("step-100.safetensors").toString(), "--slice", "--grid", "25",
                "--trace", "--optimizer", "sgd", "--lr", "0.5", "--plot-dir", dir.toString());
        System.exit(code);
    }
}
