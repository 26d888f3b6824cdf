package dev.landscape.probe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The real checkpoint files in {@code ../shared/fixtures} (see its PROVENANCE.md) and their independently computed
 * {@code EXPECTED.json}. They are read in place, never copied into the project; tests that need them are skipped
 * with a message saying so when the folder is absent.
 */
public final class Fixtures {

    /** One tensor as EXPECTED.json describes it (computed by Python + numpy, without torch). */
    public record ExpectedTensor(String name, String dtype, long[] shape, double l2, long nonFinite) {
    }

    private Fixtures() {
    }

    /** The fixtures folder; skips the calling test when it is absent. */
    public static Path root() {
        Path root = locate();
        Assumptions.assumeTrue(root != null, "../shared/fixtures is absent (looked beside the repository root): "
                + "skipping tests on real checkpoint files");
        return root;
    }

    /** Whether the fixtures folder is there; for jqwik properties, which do not honour JUnit assumptions. */
    public static boolean available() {
        return locate() != null;
    }

    /** A file under the fixtures folder; skips the calling test when the folder is absent. */
    public static Path file(String relative) {
        return root().resolve(relative);
    }

    /** EXPECTED.json: fixture path (relative to the fixtures folder) → tensor name → expectation, in file order. */
    public static Map<String, Map<String, ExpectedTensor>> expected() {
        Path json = root().resolve("EXPECTED.json");
        try {
            JsonNode root = new ObjectMapper().readTree(json.toFile());
            Map<String, Map<String, ExpectedTensor>> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> files = root.fields(); files.hasNext(); ) {
                Map.Entry<String, JsonNode> f = files.next();
                Map<String, ExpectedTensor> tensors = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> ts = f.getValue().fields(); ts.hasNext(); ) {
                    Map.Entry<String, JsonNode> t = ts.next();
                    JsonNode v = t.getValue();
                    List<Long> shape = new ArrayList<>();
                    v.get("shape").forEach(d -> shape.add(d.asLong()));
                    tensors.put(t.getKey(), new ExpectedTensor(t.getKey(), v.get("dtype").asText(),
                            shape.stream().mapToLong(Long::longValue).toArray(), v.get("l2").asDouble(),
                            v.get("nonFinite").asLong()));
                }
                out.put(f.getKey(), tensors);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + json, e);
        }
    }

    private static Path locate() {
        String explicit = System.getProperty("landscape.fixtures");
        List<Path> candidates = new ArrayList<>();
        if (explicit != null && !explicit.isBlank()) {
            candidates.add(Path.of(explicit));
        }
        String root = System.getProperty("landscape.root");
        if (root != null && !root.isBlank()) {
            candidates.add(Path.of(root).resolve("../shared/fixtures"));
        }
        candidates.add(Path.of("../shared/fixtures"));
        candidates.add(Path.of("../../shared/fixtures"));
        for (Path p : candidates) {
            Path n = p.toAbsolutePath().normalize();
            if (Files.isRegularFile(n.resolve("EXPECTED.json"))) {
                return n;
            }
        }
        return null;
    }
}
