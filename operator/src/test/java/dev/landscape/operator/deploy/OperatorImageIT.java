package dev.landscape.operator.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * After {@code package}: everything the operator's Dockerfile copies exists where Quarkus wrote it, so that
 * {@code docker build -f operator/src/main/docker/Dockerfile.jvm .} cannot fail on a missing file (no Docker engine
 * here to run the build itself). Runs in the integration-test phase, after the Quarkus build.
 */
class OperatorImageIT {

    static final String DOCKERFILE = "operator/src/main/docker/Dockerfile.jvm";

    @Test
    void everyCopySourceOfTheOperatorDockerfileExistsAfterPackage() throws IOException {
        List<String> sources = copySources(Files.readString(Manifests.ROOT.resolve(DOCKERFILE)));

        assertThat(sources).hasSize(4);
        for (String source : sources) {
            assertThat(Manifests.ROOT.resolve(source)).as("COPY %s in %s", source, DOCKERFILE).exists();
        }
        assertThat(Manifests.ROOT.resolve("operator/target/quarkus-app/lib/main")).isNotEmptyDirectory();
    }

    /** The source of each {@code COPY} instruction (relative to the repository root, the build context). */
    static List<String> copySources(String dockerfile) {
        List<String> sources = new ArrayList<>();
        dockerfile.lines().filter(l -> l.startsWith("COPY ")).forEach(l -> {
            List<String> words = new ArrayList<>(List.of(l.substring(5).trim().split("\\s+")));
            words.removeIf(w -> w.startsWith("--"));
            sources.addAll(words.subList(0, words.size() - 1));
        });
        return sources;
    }
}
