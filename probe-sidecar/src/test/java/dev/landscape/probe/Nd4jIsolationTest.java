package dev.landscape.probe;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The build rule that keeps tier 1 light: no compiled class outside {@code dev.landscape.probe.curvature} and the
 * {@code curvature} command refers to ND4J, JavaCPP or the ONNX protobuf classes, so {@code inspect}, {@code analyze}
 * and {@code watch} never load them. Checked on the class files' constant pools.
 */
class Nd4jIsolationTest {

    private static final List<String> FORBIDDEN = List.of("org/nd4j/", "org/bytedeco/", "onnx/Onnx");

    @Test
    void onlyTheCurvaturePackageReferencesNd4j() throws IOException {
        Path classes = Path.of(Nd4jIsolationTest.class.getProtectionDomain().getCodeSource().getLocation().getPath())
                .resolveSibling("classes").resolve("dev/landscape/probe");
        assertThat(classes).isDirectory();
        List<String> offenders;
        try (Stream<Path> files = Files.walk(classes)) {
            offenders = files.filter(p -> p.toString().endsWith(".class"))
                    .filter(p -> !classes.relativize(p).toString().startsWith("curvature/"))
                    .filter(p -> !p.getFileName().toString().startsWith("CurvatureCommand"))
                    .filter(Nd4jIsolationTest::referencesNd4j)
                    .map(p -> classes.relativize(p).toString()).toList();
        }
        assertThat(offenders).isEmpty();
    }

    private static boolean referencesNd4j(Path classFile) {
        try {
            String text = new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1);
            return FORBIDDEN.stream().anyMatch(text::contains);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
