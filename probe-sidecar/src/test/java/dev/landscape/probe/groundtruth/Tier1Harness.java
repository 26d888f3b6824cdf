package dev.landscape.probe.groundtruth;

import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.checkpoint.OptimizerHints;
import dev.landscape.probe.cli.RunAnalysis;
import dev.landscape.probe.findings.Thresholds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Generates each case's runs, one folder of HF Trainer checkpoints per seed, analyses each folder with
 * {@link RunAnalysis} (what {@code landscape analyze DIR} runs: default thresholds, no optimizer hints, everything
 * read from the files) and scores it. Folders are deleted once scored.
 */
final class Tier1Harness {

    private final Path work;
    private final Thresholds thresholds;

    Tier1Harness(Path work, Thresholds thresholds) {
        this.work = work;
        this.thresholds = thresholds;
    }

    List<Tier1Scorer.Score> run(List<Tier1Case> cases, List<Long> seeds) throws IOException {
        List<Tier1Scorer.Score> out = new ArrayList<>();
        for (Tier1Case c : cases) {
            for (long seed : seeds) {
                out.add(run(c, seed));
            }
        }
        return out;
    }

    Tier1Scorer.Score run(Tier1Case c, long seed) throws IOException {
        Path dir = Files.createTempDirectory(work, "run-");
        try {
            GroundTruthRun.Truth truth = GroundTruthRun.generate(c, seed, dir);
            Tier1Cases.violation(c, seed, truth).ifPresent(v -> {
                throw new IllegalStateException(v + ": the case's physics is broken, nothing to score");
            });
            List<RunAnalysis.Result> results =
                    new RunAnalysis(CheckpointFormats.standard(), OptimizerHints.NONE, thresholds).run(dir);
            return Tier1Scorer.score(c, seed, truth, results);
        } finally {
            delete(dir);
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
