package dev.landscape.probe.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SidecarConfigTest {

    @TempDir
    Path dir;

    private Map<String, String> env() throws java.io.IOException {
        Path empty = Files.writeString(dir.resolve("empty.json"), "{}");
        Map<String, String> env = new HashMap<>();
        env.put("LANDSCAPE_CONFIG_FILE", empty.toString());
        return env;
    }

    @Test
    void aConfigFileNamedButMissingIsAnError() {
        assertThatThrownBy(() -> SidecarConfig.load(Map.of(), Map.of("LANDSCAPE_CONFIG_FILE", dir.resolve("none.json").toString())))
                .hasMessageContaining("LANDSCAPE_CONFIG_FILE names " + dir.resolve("none.json") + ", which does not exist");
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheConfigFile() throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"probe\":\"from-file\",\"namespace\":\"ml\",\"pod\":\"p-0\",\"rank\":\"1\",\"dir\":\"/ckpt\","
                + "\"report-url\":\"http://op:8080/api/v1alpha1/reports\",\"quiet-period\":\"45s\",\"thresholds\":{\"spikeZScore\":\"5\"}}");
        Map<String, String> env = new HashMap<>(Map.of("LANDSCAPE_CONFIG_FILE", file.toString(), "LANDSCAPE_RANK", "2"));

        SidecarConfig c = SidecarConfig.load(Map.of("probe", "from-flag"), env);

        assertThat(c.probe()).isEqualTo("from-flag");
        assertThat(c.rank()).isEqualTo(2);
        assertThat(c.namespace()).isEqualTo("ml");
        assertThat(c.quietPeriod()).isEqualTo(Duration.ofSeconds(45));
        assertThat(c.thresholds()).containsEntry("spikeZScore", "5");
        assertThat(c.tier2()).isFalse();
        assertThat(c.trace()).as("Hutchinson trace is on unless the probe turns it off").isTrue();
        assertThat(c.tier2Ranks()).isEmpty();
        assertThat(c.spoolDir()).isEqualTo(Path.of("/var/lib/landscape/spool"));
    }

    @Test
    void everyProblemIsReportedAtOnceNamingTheSettingAndItsSource() throws Exception {
        Map<String, String> env = env();
        env.put("LANDSCAPE_PROBE", "Bad_Probe");
        env.put("LANDSCAPE_NAMESPACE", "ml");
        env.put("LANDSCAPE_POD", "p-0");
        env.put("LANDSCAPE_RANK", "minus one");
        env.put("LANDSCAPE_DIR", "/ckpt");
        env.put("LANDSCAPE_REPORT_URL", "ftp://op/reports");
        env.put("LANDSCAPE_QUIET_PERIOD", "soon");
        env.put("LANDSCAPE_GPU", "all");
        env.put("LANDSCAPE_MODEL", "/m.onnx");
        env.put("LANDSCAPE_TRACE", "yes");
        env.put("LANDSCAPE_TIER2_RANKS", "[0, -1]");

        assertThatThrownBy(() -> SidecarConfig.load(Map.of(), env))
                .isInstanceOf(SidecarConfig.InvalidConfigException.class)
                .hasMessageContaining("probe \"Bad_Probe\" (from LANDSCAPE_PROBE) is not a valid Kubernetes name")
                .hasMessageContaining("rank \"minus one\" (from LANDSCAPE_RANK) is not an integer")
                .hasMessageContaining("report-url \"ftp://op/reports\" (from LANDSCAPE_REPORT_URL) must be an http(s) URL")
                .hasMessageContaining("quiet-period \"soon\" (from LANDSCAPE_QUIET_PERIOD) is not a duration")
                .hasMessageContaining("gpu \"all\" (from LANDSCAPE_GPU) must be one of none, auto, shared, dedicated")
                .hasMessageContaining("trace \"yes\" (from LANDSCAPE_TRACE) must be one of true, false")
                .hasMessageContaining("tier2-ranks entry -1 (from LANDSCAPE_TIER2_RANKS) is not a rank")
                .hasMessageContaining("model (from LANDSCAPE_MODEL) and batch (from default) must be given together");
    }

    @Test
    void missingRequiredSettingsSayHowToSetThem() throws Exception {
        assertThatThrownBy(() -> SidecarConfig.load(Map.of(), env()))
                .hasMessageContaining("probe is required: pass --probe or set LANDSCAPE_PROBE")
                .hasMessageContaining("report-url is required: pass --report-url or set LANDSCAPE_REPORT_URL");
    }

    @Test
    void unknownKeysInTheFileAreErrorsNotSilentlyIgnored() throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"probe\":\"p\",\"rnak\":\"1\"}");
        assertThatThrownBy(() -> SidecarConfig.load(Map.of(), Map.of("LANDSCAPE_CONFIG_FILE", file.toString())))
                .hasMessageContaining("unknown key \"rnak\"");
    }

    @Test
    void trustedGlobalsMustBeDottedNames() throws Exception {
        Path good = Files.writeString(dir.resolve("good.json"), "{\"probe\":\"p\",\"namespace\":\"ml\",\"pod\":\"p-1\","
                + "\"rank\":\"0\",\"dir\":\"/ckpt\",\"report-url\":\"http://op/r\",\"trusted-globals\":[\"my.cfg.Config\"]}");
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"probe\":\"p\",\"namespace\":\"ml\",\"pod\":\"p-1\","
                + "\"rank\":\"0\",\"dir\":\"/ckpt\",\"report-url\":\"http://op/r\",\"trusted-globals\":[\"os\", 3]}");

        assertThat(SidecarConfig.load(Map.of(), Map.of("LANDSCAPE_CONFIG_FILE", good.toString())).trustedGlobals())
                .containsExactly("my.cfg.Config");
        assertThatThrownBy(() -> SidecarConfig.load(Map.of(), Map.of("LANDSCAPE_CONFIG_FILE", bad.toString())))
                .hasMessageContaining("trusted-globals entry \"os\"")
                .hasMessageContaining("trusted-globals entry 3");
    }

    @Test
    void tierTwoRunsOnlyOnTheRanksTheProbeNames() throws Exception {
        Path cfg = Files.writeString(dir.resolve("config.json"), "{\"probe\":\"p\",\"namespace\":\"ml\",\"pod\":\"p-1\","
                + "\"dir\":\"/ckpt\",\"report-url\":\"http://op/r\",\"model\":\"/m.onnx\",\"batch\":\"/b.safetensors\","
                + "\"tier2-ranks\":[0]}");
        Map<String, String> env = Map.of("LANDSCAPE_CONFIG_FILE", cfg.toString());

        assertThat(SidecarConfig.load(Map.of("rank", "0"), env).tier2()).isTrue();
        assertThat(SidecarConfig.load(Map.of("rank", "1"), env).tier2()).as("rank 1 is not in tier2-ranks").isFalse();
    }
}
