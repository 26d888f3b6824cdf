package dev.landscape.contract;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No two main classes of the repository's modules share a simple name: a reader who meets {@code Finding} or
 * {@code Thresholds} in one module must not have to check which of two it is. Reads every module of the root pom
 * from source ({@code landscape.root}, default {@code ..}); {@code package-info} files are not classes.
 */
class UniqueClassNamesTest {

    private static final Path ROOT = Path.of(System.getProperty("landscape.root", "..")).toAbsolutePath().normalize();
    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");

    @Test
    void noTwoMainClassesOfTheRepositoryShareASimpleName() throws IOException {
        List<Path> sources = modules(ROOT).stream().map(m -> ROOT.resolve(m).resolve("src/main/java")).toList();

        assertThat(sources).as("modules of %s", ROOT).hasSizeGreaterThanOrEqualTo(5);
        assertThat(sharedNames(sources)).as("simple names used by more than one main class").isEmpty();
    }

    @Test
    void aNameUsedInTwoModulesIsReportedWithBothFiles(@TempDir Path dir) throws IOException {
        Path a = write(dir.resolve("a/src/main/java/x/a/Finding.java"));
        Path b = write(dir.resolve("b/src/main/java/x/b/Finding.java"));
        write(dir.resolve("a/src/main/java/x/a/package-info.java"));
        write(dir.resolve("b/src/main/java/x/b/package-info.java"));
        write(dir.resolve("b/src/main/java/x/b/Other.java"));

        Map<String, TreeSet<Path>> shared = sharedNames(List.of(dir.resolve("a/src/main/java"), dir.resolve("b/src/main/java")));

        assertThat(shared).containsOnlyKeys("Finding");
        assertThat(shared.get("Finding")).containsExactly(a, b);
    }

    static List<String> modules(Path root) throws IOException {
        Matcher m = MODULE.matcher(Files.readString(root.resolve("pom.xml")));
        List<String> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(m.group(1).trim());
        }
        return out;
    }

    static Map<String, TreeSet<Path>> sharedNames(List<Path> sourceRoots) throws IOException {
        Map<String, TreeSet<Path>> byName = new TreeMap<>();
        for (Path root : sourceRoots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String name = f.getFileName().toString().replaceFirst("\\.java$", "");
                    if (!name.equals("package-info") && !name.equals("module-info")) {
                        byName.computeIfAbsent(name, k -> new TreeSet<>()).add(f);
                    }
                }
            }
        }
        byName.values().removeIf(files -> files.size() < 2);
        return byName;
    }

    private static Path write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, "");
    }
}
