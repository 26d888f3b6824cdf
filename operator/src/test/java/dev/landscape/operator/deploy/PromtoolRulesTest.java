package dev.landscape.operator.deploy;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The alert and recording rules checked and unit-tested by the real promtool (Debian's prometheus package, which
 * .ci/run installs): every alert has series that make it fire and series that must not
 * (DeployManifestsTest checks that the tests cover every alert).
 */
class PromtoolRulesTest {

    @Test
    void rulesAreValid() throws Exception {
        assertThat(promtool("check", "rules", "deploy/prometheus/landscape-rules.yaml")).contains("SUCCESS: 28 rules found");
    }

    @Test
    void everyAlertFiresAndDoesNotFireAsTheFixturesSay() throws Exception {
        assertThat(promtool("test", "rules", "deploy/prometheus/tests/landscape-rules-test.yaml")).contains("SUCCESS");
    }

    private static String promtool(String... args) throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        Assumptions.assumeTrue(Files.isExecutable(promtool), "promtool is not installed (apt-get install prometheus): skipping");
        String[] cmd = new String[args.length + 1];
        cmd[0] = promtool.toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).directory(Manifests.ROOT.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
