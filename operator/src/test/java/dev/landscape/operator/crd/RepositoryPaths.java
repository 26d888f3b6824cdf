package dev.landscape.operator.crd;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository root (where crds/ and deploy/ live) from the test's working directory. */
public final class RepositoryPaths {

    private RepositoryPaths() {
    }

    public static Path root() {
        String configured = System.getProperty("landscape.root");
        if (configured != null && Files.isDirectory(Path.of(configured, "crds"))) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isDirectory(dir.resolve("crds")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("cannot find the repository root (a folder with crds/ and pom.xml) above "
                + Path.of("").toAbsolutePath());
    }
}
