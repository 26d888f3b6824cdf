package dev.landscape.demo.cluster;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the built pieces are: the repository root (found from {@code -Dlandscape.root} or by walking up from the
 * working directory to the folder holding {@code crds/} and {@code operator/}), the rendered install
 * ({@code deploy/rendered/default.yaml}), the operator's Quarkus application and the sidecar's runnable jar, and the
 * java binary that runs this demo (used for the child processes too).
 */
public record Layout(Path root, Path rendered, Path operatorJar, Path sidecarJar, Path java) {

    public static Layout discover() {
        String given = System.getProperty("landscape.root");
        Path root = given != null ? Path.of(given).toAbsolutePath().normalize() : findRoot(Path.of("").toAbsolutePath());
        Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
        Layout layout = new Layout(root, root.resolve("deploy/rendered/default.yaml"), root.resolve("operator/target/quarkus-app/quarkus-run.jar"),
                root.resolve("probe-sidecar/target/landscape-probe.jar"), java);
        layout.check();
        return layout;
    }

    private static Path findRoot(Path from) {
        for (Path p = from; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("crds")) && Files.isDirectory(p.resolve("operator"))) {
                return p;
            }
        }
        throw new IllegalStateException("Cannot find the repository root (a folder with crds/ and operator/) above " + from
                + "; run from the repository or pass -Dlandscape.root=PATH");
    }

    private void check() {
        for (Path p : new Path[] {rendered, operatorJar, sidecarJar}) {
            if (!Files.exists(p)) {
                throw new IllegalStateException(p + " is missing: build first with ./mvnw -B package -DskipTests"
                        + " (./landscape demo does it for you)");
            }
        }
    }
}
