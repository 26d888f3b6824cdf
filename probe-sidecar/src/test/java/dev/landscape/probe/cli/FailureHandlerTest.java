package dev.landscape.probe.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.AccessDeniedException;

import static org.assertj.core.api.Assertions.assertThat;

/** Exit codes 2 and 3 as docs/analyser.md gives them: an input problem in one line, a bug with its stack trace. */
class FailureHandlerTest {

    @Test
    void aBugIsExitThreeWithItsStackTrace() {
        StringWriter err = new StringWriter();

        int code = FailureHandler.report(new IllegalStateException("reader state broken"), "landscape-probe inspect",
                new PrintWriter(err, true));

        assertThat(code).isEqualTo(Main.INTERNAL);
        assertThat(err.toString()).startsWith("landscape-probe inspect: internal error, please report it")
                .contains("java.lang.IllegalStateException: reader state broken").contains("\tat ");
    }

    @Test
    void anUnreadableInputIsExitTwoInOneLine() {
        StringWriter err = new StringWriter();

        int code = FailureHandler.report(new AccessDeniedException("/ckpt/model.safetensors"), "landscape-probe inspect",
                new PrintWriter(err, true));

        assertThat(code).isEqualTo(Main.BAD_INPUT);
        assertThat(err.toString().lines()).containsExactly("landscape-probe inspect: /ckpt/model.safetensors: permission denied"
                + " (the probe needs read access to the checkpoint)");
    }
}
