package dev.landscape.probe.checkpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class RunFolderTest {

    @Test
    void stepsAreReadFromTheNamesTrainersUse() {
        assertThat(RunFolder.stepFromName("checkpoint-500")).hasValue(500);
        assertThat(RunFolder.stepFromName("global_step1200")).hasValue(1200);
        assertThat(RunFolder.stepFromName("epoch=3-step=4500.ckpt")).hasValue(4500);
        assertThat(RunFolder.stepFromName("epoch=7.ckpt")).hasValue(7);
        assertThat(RunFolder.stepFromName("step_40.safetensors")).hasValue(40);
        assertThat(RunFolder.stepFromName("model-step-41.pt")).hasValue(41);
        assertThat(RunFolder.stepFromName("model.safetensors")).isEmpty();
        assertThat(RunFolder.stepFromName("checkpoint-99999999999999999999999")).isEmpty();
    }

    @Test
    void pointerTemporaryAndUnrelatedFilesAreNotCandidates(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("global_step10"));
        Files.writeString(dir.resolve("latest"), "global_step10");
        Files.writeString(dir.resolve(".step_11.safetensors.tmp"), "");
        Files.writeString(dir.resolve("notes.txt"), "");
        new SafetensorsWriter().add("model.w", new long[] {1}, new double[] {1}).write(dir.resolve("weights.safetensors"));

        assertThat(RunFolder.list(dir, CheckpointFormats.standard())).extracting(e -> e.path().getFileName().toString())
                .containsExactly("global_step10", "weights.safetensors");
    }
}
