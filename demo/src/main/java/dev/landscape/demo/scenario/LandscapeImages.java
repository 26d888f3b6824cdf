package dev.landscape.demo.scenario;

import dev.landscape.demo.report.ReportImage;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.curvature.CurvatureAnalysis;
import dev.landscape.probe.curvature.CurvatureOptions;
import dev.landscape.probe.curvature.CurvatureReport;
import dev.landscape.probe.curvature.LossHead;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The loss-landscape pictures of the report, drawn with the sidecar's curvature engine ({@code curvature
 * --plot-dir}) on rank 0's checkpoints and the exported model: the loss along the straight line from the last
 * checkpoint before the learning-rate fault to the checkpoint with the highest loss after it, and the 2-D
 * filter-normalised slice around the checkpoint before the fault.
 */
final class LandscapeImages {

    private LandscapeImages() {
    }

    static List<ReportImage> render(Path rankDir, long beforeStep, long spikeStep, Path work) throws IOException {
        Path model = rankDir.resolve("probe/model.onnx");
        Path batch = rankDir.resolve("probe/eval-batch.safetensors");
        Path before = rankDir.resolve("checkpoint-" + beforeStep);
        Path spike = rankDir.resolve("checkpoint-" + spikeStep);
        Path plots = Files.createDirectories(work);
        CurvatureOptions d = CurvatureOptions.defaults(LossHead.CROSS_ENTROPY);
        CurvatureOptions o = new CurvatureOptions(d.loss(), d.output(), 1, d.tol(), d.maxIterations(), 0, d.seed(), false,
                before, true, plots, d.grid(), d.optimizer());
        CurvatureReport r = new CurvatureAnalysis(CheckpointFormats.standard()).run(model, batch, spike, o);
        List<ReportImage> images = new ArrayList<>();
        if (r.line() != null && r.line().image() != null) {
            images.add(new ReportImage(r.line().image(), String.format(Locale.ROOT,
                    "Rank 0: eval loss along the straight line from step %d (before the learning-rate fault) to step %d "
                            + "(highest loss after it); λmax at step %d is %.4g.", beforeStep, spikeStep, spikeStep,
                    r.eigenvalues().length > 0 ? r.eigenvalues()[0] : Double.NaN)));
        }
        if (r.slice() != null && r.slice().image() != null) {
            images.add(new ReportImage(r.slice().image(), String.format(Locale.ROOT,
                    "Rank 0: 2-D filter-normalised loss slice (Li et al. 2018) around step %d.", spikeStep)));
        }
        return images;
    }
}
