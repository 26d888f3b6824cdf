package dev.landscape.operator.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/rendered/default.yaml is exactly what {@code kubectl kustomize deploy/} renders (document by document), so
 * that the embedded demo, which installs that file, installs what a cluster gets even where kubectl is absent. A
 * stale render fails here; {@code -Dlandscape.render.update=true} rewrites it (see the file's header).
 */
class RenderedInstallTest {

    private static final Path RENDERED = Manifests.ROOT.resolve("deploy/rendered/default.yaml");

    @Test
    void theCommittedRenderIsWhatKustomizeRendersNow() throws Exception {
        List<JsonNode> rendered = Manifests.render("deploy");
        if (Boolean.getBoolean("landscape.render.update")) {
            String header = Files.readString(RENDERED).lines().takeWhile(l -> l.startsWith("#"))
                    .reduce("", (a, l) -> a + l + "\n");
            Process p = new ProcessBuilder("/usr/bin/kubectl", "kustomize", Manifests.ROOT.resolve("deploy").toString()).start();
            String yaml = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("kubectl kustomize deploy/").isTrue();
            Files.writeString(RENDERED, header + yaml);
        }

        List<JsonNode> committed = Manifests.documents(Files.readString(RENDERED));

        assertThat(committed).as("deploy/rendered/default.yaml is stale: regenerate it (command in its header)").isEqualTo(rendered);
    }
}
