package dev.landscape.probe.checkpoint;

import dev.landscape.probe.testing.Fixtures;
import dev.landscape.probe.testing.Fixtures.ExpectedTensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static dev.landscape.probe.checkpoint.ExpectedTensorAssertions.assertMatches;
import static dev.landscape.probe.checkpoint.ExpectedTensorAssertions.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every real torch.save file in the shared fixtures, read through the one registry and checked against EXPECTED.json. */
class TorchFixturesTest {

    private static final String READER = "burn/crates/burn-store/src/pytorch/tests/reader/test_data/";
    private final CheckpointFormats formats = CheckpointFormats.standard();

    @Test
    void everyTorchFixtureMatchesIndependentReader() throws IOException {
        int files = 0;
        for (var file : Fixtures.expected().entrySet()) {
            String name = file.getKey();
            if (!(name.endsWith(".pt") || name.endsWith(".pth") || name.endsWith(".bin")) || name.endsWith("broken.pt")) {
                continue;
            }
            files++;
            try (Checkpoint cp = formats.open(Fixtures.file(name))) {
                assertThat(cp.format()).as(name).isEqualTo(name.contains("legacy") ? "torch-legacy" : "torch-zip");
                assertMatches(name, cp, file.getValue());
            }
        }
        assertThat(files).isGreaterThanOrEqualTo(55);
    }

    @Test
    void fortranOrderedTensorStreamsInLogicalRowMajorOrder() throws IOException {
        try (Checkpoint cp = formats.open(Fixtures.file("candle/candle-core/tests/fortran_tensor_3d.pth"))) {
            double[] v = values(cp.tensors().get(0));
            // The storage holds 1, 13, 5, 17, ... (strides 1, 2, 6); in logical row-major order the values are 1..24.
            for (int i = 0; i < v.length; i++) {
                assertThat(v[i]).as("element " + i).isEqualTo(i + 1);
            }
        }
    }

    @Test
    void optimizerStateIsGroupedBySlot() throws IOException {
        try (Checkpoint cp = formats.open(Fixtures.file(READER + "checkpoint.pt"))) {
            Tensor momentum = cp.tensors().stream()
                    .filter(t -> t.info().name().equals("optimizer_state_dict.state.0.momentum_buffer")).findFirst().orElseThrow();
            assertThat(momentum.info().group()).isEqualTo("optimizer.momentum_buffer");
            // This hand-made checkpoint keeps no param_groups, so the id cannot be checked against the model.
            assertThat(momentum.info().parameter()).isEmpty();
            assertThat(cp.tensors()).filteredOn(t -> t.info().name().startsWith("model_state_dict."))
                    .allSatisfy(t -> assertThat(t.info().group()).isEqualTo("model"));
            assertThat(cp.optimizer().type()).isEqualTo("sgd-momentum");
        }
    }

    @Test
    void parameterFixtureIsAModelTensor() throws IOException {
        try (Checkpoint cp = formats.open(Fixtures.file(READER + "parameter.pt"))) {
            assertThat(cp.tensors()).singleElement().satisfies(t -> {
                assertThat(t.info().group()).isEqualTo("model");
                assertThat(t.info().parameter()).isEqualTo("param");
            });
        }
    }

    @Test
    void brokenFileIsAClearError() {
        Path broken = Fixtures.file(READER + "broken.pt"); // outside the lambda: without ../shared the test is skipped
        assertThatThrownBy(() -> formats.open(broken))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("broken.pt")
                .hasMessageContaining("neither a torch.save zip archive");
    }

    @Test
    void legacySharedStorageViewsReadTheirOwnSlices() throws IOException {
        Map<String, ExpectedTensor> expected = Fixtures.expected().get(READER + "legacy_shared_storage.pt");
        try (Checkpoint cp = formats.open(Fixtures.file(READER + "legacy_shared_storage.pt"))) {
            assertThat(cp.format()).isEqualTo("torch-legacy");
            assertMatches("legacy_shared_storage", cp, expected);
        }
    }
}
