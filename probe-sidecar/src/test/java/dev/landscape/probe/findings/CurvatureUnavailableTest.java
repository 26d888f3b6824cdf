package dev.landscape.probe.findings;

import dev.landscape.contract.Reason;
import dev.landscape.contract.Severity;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A tier-2 failure as a finding: whole while it is short, cut (and marked so) when it is not. */
class CurvatureUnavailableTest {

    @Test
    void aLongFailureIsCutToTheBoundAndMarked() {
        String error = "x".repeat(5 * Finding.MAX_ERROR_CHARS);

        Finding f = Finding.curvatureUnavailable(Path.of("/ckpt/step_7.safetensors"), 7, 3, error);

        assertThat(f.reason()).isEqualTo(Reason.CurvatureUnavailable);
        assertThat(f.severity()).isEqualTo(Severity.WARNING);
        assertThat(f.since()).isEqualTo(3);
        assertThat(f.message()).startsWith("Tier 2 (curvature) failed on checkpoint /ckpt/step_7.safetensors at step 7 "
                + "(failing since step 3); tier 1 is still reported: xxx")
                .endsWith("x…")
                .hasSize(f.message().indexOf("reported: ") + "reported: ".length() + Finding.MAX_ERROR_CHARS);
    }
}
