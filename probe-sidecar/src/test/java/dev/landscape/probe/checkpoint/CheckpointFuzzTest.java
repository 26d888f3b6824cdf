package dev.landscape.probe.checkpoint;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing (Jazzer) of the readers that take untrusted bytes; the targets and the invariant are in
 * {@link FuzzTargets}. Plain {@code mvn test} runs each target on its committed corpus
 * ({@code src/test/resources/dev/landscape/probe/checkpoint/CheckpointFuzzTestInputs/<target>/}: every crash ever
 * found, as a regression test). The {@code fuzz-*} surefire executions of {@code verify} then fuzz each target for
 * a few seconds with {@code JAZZER_FUZZ=1}; bench/fuzz.sh runs the long campaigns.
 */
class CheckpointFuzzTest {

    @FuzzTest(maxDuration = "4s")
    void safetensorsHeader(byte[] data) {
        FuzzTargets.safetensorsHeader(data);
    }

    @FuzzTest(maxDuration = "4s")
    void zipDirectory(byte[] data) {
        FuzzTargets.zipDirectory(data);
    }

    @FuzzTest(maxDuration = "4s")
    void pickle(byte[] data) {
        FuzzTargets.pickle(data);
    }

    @FuzzTest(maxDuration = "4s")
    void torchFile(byte[] data) {
        FuzzTargets.torchFile(data);
    }
}
