package dev.landscape.kubectl;

import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.ProbeReport;
import dev.landscape.operator.crd.SilenceAnnotations;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The plugin as kubectl runs it, against the Fabric8 mock API server (CRUD mode) with the project's CRDs from
 * {@code crds/} applied, through a kubeconfig written for the test: context {@code lab} (namespace {@code ml},
 * current) and {@code staging} (namespace {@code default}). The mock server speaks plain HTTP: TLS to the API server is
 * the Fabric8 client's business, configured from the kubeconfig as kubectl's is. Outputs are compared with golden files in
 * {@code src/test/resources/golden}; {@code -Dlandscape.golden.update=true} rewrites them (review the diff).
 */
@EnableKubernetesMockClient(crud = true, https = false)
class KubectlLandscapeTest {

    static KubernetesMockServer server;
    static KubernetesClient client;

    private static final Clock NOON = Clock.fixed(Instant.parse("2026-12-07T12:00:00Z"), ZoneOffset.UTC);
    private static final Path GOLDEN = Path.of("src/test/resources/golden");

    @TempDir
    Path dir;
    Path kubeconfig;

    private record Run(int exit, String out, String err) {
    }

    @BeforeEach
    void cluster() throws IOException {
        try (Stream<Path> crds = Files.list(Path.of(System.getProperty("landscape.root", ".."), "crds"))) {
            for (Path f : crds.filter(p -> p.toString().endsWith(".yml")).toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    CustomResourceDefinition crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
                    if (client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName()).get() == null) {
                        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
                    }
                }
            }
        }
        client.resources(ProbeReport.class).inAnyNamespace().delete();
        client.resources(LandscapeProbe.class).inAnyNamespace().delete();
        LandscapeProbe bert = client.resource(TestingProbes.bert("ml")).create();
        bert.setStatus(TestingProbes.bertStatus());
        client.resource(bert).updateStatus();
        for (ProbeReport r : new ProbeReport[] {
                TestingProbes.report("ml", 0, "bert-worker-0", 4200, 7.912, 1.0234, 0.41, 0, 0, "2026-12-07T11:59:15Z"),
                TestingProbes.report("ml", 1, "bert-worker-1", 4200, 7.905, 0.98, 0.402, 0, 0, "2026-12-07T11:59:08Z"),
                TestingProbes.report("ml", 2, "bert-worker-2-r1", 4100, 7.93, 1.1, 0.43, 3, 1, "2026-12-07T11:54:01Z"),
                TestingProbes.report("ml", 3, "bert-worker-3", 4200, 7.899, 0.9987, null, 0, 0, "2026-12-07T11:59:30Z")}) {
            ProbeReport created = client.resource(r).create();
            created.setStatus(r.getStatus());
            client.resource(created).updateStatus();
        }
        kubeconfig = dir.resolve("config");
        String url = client.getConfiguration().getMasterUrl();
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster:
                    server: %s
                contexts:
                - name: lab
                  context: {cluster: mock, user: oncall, namespace: ml}
                - name: staging
                  context: {cluster: mock, user: oncall}
                current-context: lab
                users:
                - name: oncall
                  user: {token: not-checked-by-the-mock}
                """.formatted(url));
    }

    private Run kubectl(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = KubectlLandscape.run(NOON, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertGolden(String name, String actual) throws IOException {
        Path file = GOLDEN.resolve(name);
        if (Boolean.getBoolean("landscape.golden.update")) {
            Files.createDirectories(GOLDEN);
            Files.writeString(file, actual);
        }
        assertThat(Files.exists(file)).as("golden file %s is missing: run with -Dlandscape.golden.update=true", file).isTrue();
        assertThat(actual).as("%s is stale: run with -Dlandscape.golden.update=true and review the diff", file)
                .isEqualTo(Files.readString(file));
    }

    @Test
    void statusIsOneRowPerRankWithItsFindings() throws IOException {
        Run run = kubectl("status", "bert", "--kubeconfig", kubeconfig.toString());

        assertThat(run.err()).isEmpty();
        assertThat(run.exit()).isZero();
        assertGolden("status-bert.txt", run.out());
    }

    @Test
    void findingsShowSinceValuesRemedyAndSilence() throws IOException {
        Run run = kubectl("findings", "bert", "--kubeconfig", kubeconfig.toString());

        assertThat(run.exit()).isZero();
        assertGolden("findings-bert.txt", run.out());
    }

    @Test
    void aProbeWithoutFindingsSaysSo() throws IOException {
        LandscapeProbe quiet = TestingProbes.bert("ml");
        quiet.getMetadata().setName("quiet");
        client.resource(quiet).create();

        Run run = kubectl("findings", "quiet", "--kubeconfig", kubeconfig.toString());

        assertThat(run.exit()).isZero();
        assertThat(run.out()).isEqualTo("LandscapeProbe ml/quiet: no active findings.\n");
    }

    @Test
    void silenceAnnotatesTheProbeUntilNowPlusTheDurationAndClearLiftsIt() throws IOException {
        Run run = kubectl("silence", "bert", "--for", "2h", "--reason", "paging for a planned restart", "--kubeconfig", kubeconfig.toString());

        assertThat(run.err()).isEmpty();
        assertThat(run.exit()).isZero();
        assertGolden("silence-bert.txt", run.out());
        Map<String, String> annotations = client.resources(LandscapeProbe.class).inNamespace("ml").withName("bert").get().getMetadata().getAnnotations();
        assertThat(annotations).containsEntry(SilenceAnnotations.UNTIL, "2026-12-07T14:00:00Z")
                .containsEntry(SilenceAnnotations.REASON, "paging for a planned restart");
        assertThat(client.resources(LandscapeProbe.class).inNamespace("ml").withName("bert").get().getSpec().getSilences()).hasSize(1);

        Run cleared = kubectl("silence", "bert", "--clear", "--kubeconfig", kubeconfig.toString());

        assertThat(cleared.exit()).isZero();
        assertThat(cleared.out()).isEqualTo("LandscapeProbe ml/bert: ad-hoc silence lifted; silences in spec.silences still apply.\n");
        Map<String, String> after = client.resources(LandscapeProbe.class).inNamespace("ml").withName("bert").get().getMetadata().getAnnotations();
        assertThat(after == null ? Map.of() : after).doesNotContainKeys(SilenceAnnotations.UNTIL, SilenceAnnotations.REASON);
    }

    @Test
    void silenceNeedsADurationInRangeAndAReason() {
        Run noReason = kubectl("silence", "bert", "--for", "2h", "--kubeconfig", kubeconfig.toString());
        Run badDuration = kubectl("silence", "bert", "--for", "2 hours", "--reason", "x", "--kubeconfig", kubeconfig.toString());
        Run tooLong = kubectl("silence", "bert", "--for", "200h", "--reason", "x", "--kubeconfig", kubeconfig.toString());

        assertThat(noReason.exit()).isEqualTo(KubectlLandscape.USAGE);
        assertThat(noReason.err()).contains("silence needs --for DURATION and --reason TEXT");
        assertThat(badDuration.exit()).isEqualTo(KubectlLandscape.USAGE);
        assertThat(badDuration.err()).contains("--for \"2 hours\" is not a duration: write it like 30m, 2h or 1h30m");
        assertThat(tooLong.exit()).isEqualTo(KubectlLandscape.USAGE);
        assertThat(tooLong.err()).contains("at most 168h; put longer windows in spec.silences");
        assertThat(client.resources(LandscapeProbe.class).inNamespace("ml").withName("bert").get().getMetadata().getAnnotations())
                .as("nothing was written").doesNotContainKey(SilenceAnnotations.UNTIL);
    }

    @Test
    void contextAndNamespaceFlagsWorkAsKubectlsDo() {
        Run staging = kubectl("status", "bert", "--kubeconfig", kubeconfig.toString(), "--context", "staging");
        Run stagingInMl = kubectl("status", "bert", "--kubeconfig", kubeconfig.toString(), "--context", "staging", "-n", "ml");
        Run longFlag = kubectl("findings", "bert", "--kubeconfig", kubeconfig.toString(), "--namespace", "default");
        Run unknown = kubectl("status", "bert", "--kubeconfig", kubeconfig.toString(), "--context", "prod");

        assertThat(staging.exit()).isEqualTo(KubectlLandscape.FAILED);
        assertThat(staging.err()).isEqualTo("error: landscapeprobes.landscape.dev \"bert\" not found in namespace default (context staging);"
                + " list them with: kubectl get lp -n default\n");
        assertThat(stagingInMl.exit()).isZero();
        assertThat(stagingInMl.out()).startsWith("LandscapeProbe ml/bert");
        assertThat(longFlag.exit()).isEqualTo(KubectlLandscape.FAILED);
        assertThat(unknown.exit()).isEqualTo(KubectlLandscape.FAILED);
        assertThat(unknown.err()).isEqualTo("error: context \"prod\" does not exist in " + kubeconfig + "\n");
    }

    @Test
    void withoutFlagsTheCurrentContextOfTheKubeconfigIsUsed() {
        String before = System.getProperty("kubeconfig");
        System.setProperty("kubeconfig", kubeconfig.toString());
        try {
            Run run = kubectl("status", "bert");

            assertThat(run.exit()).isZero();
            assertThat(run.out()).startsWith("LandscapeProbe ml/bert");
        } finally {
            if (before == null) {
                System.clearProperty("kubeconfig");
            } else {
                System.setProperty("kubeconfig", before);
            }
        }
    }

    @Test
    void aMissingKubeconfigAndAnUnreachableClusterAreClearErrors() throws IOException {
        Path nowhere = dir.resolve("nowhere");
        Files.writeString(nowhere, Files.readString(kubeconfig).replace(client.getConfiguration().getMasterUrl(), "http://127.0.0.1:9"));

        Run missing = kubectl("status", "bert", "--kubeconfig", dir.resolve("absent").toString());
        Run unreachable = kubectl("status", "bert", "--kubeconfig", nowhere.toString());

        assertThat(missing.exit()).isEqualTo(KubectlLandscape.FAILED);
        assertThat(missing.err()).isEqualTo("error: --kubeconfig " + dir.resolve("absent") + ": no such file\n");
        assertThat(unreachable.exit()).isEqualTo(KubectlLandscape.FAILED);
        assertThat(unreachable.err()).startsWith("error: cannot reach the cluster of context lab at http://127.0.0.1:9/");
    }

    /** docs/on-call.md shows the plugin's output: the golden files, verbatim (findings: its first two). */
    @Test
    void theOnCallPageShowsTheGoldenOutputs() throws IOException {
        String page = Files.readString(Path.of(System.getProperty("landscape.root", ".."), "docs/on-call.md"));
        String findings = Files.readString(GOLDEN.resolve("findings-bert.txt"));
        String firstTwo = String.join("\n\n", java.util.Arrays.asList(findings.split("\n\n")).subList(0, 3));

        assertThat(page).contains("$ kubectl landscape status bert -n ml\n" + Files.readString(GOLDEN.resolve("status-bert.txt")) + "```");
        assertThat(page).contains("$ kubectl landscape findings bert -n ml\n" + firstTwo.stripTrailing() + "\n```");
        assertThat(page).contains(Files.readString(GOLDEN.resolve("silence-bert.txt")) + "```");
    }
}
