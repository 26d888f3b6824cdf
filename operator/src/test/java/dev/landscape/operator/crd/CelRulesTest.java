package dev.landscape.operator.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.landscape.operator.reconcile.SpecValidator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CEL rules of the committed LandscapeProbe CRD, evaluated by a real CEL implementation after schema defaulting:
 * each rule rejects what it should with its message, accepts the boundary, and SpecValidator (the same rules for API
 * servers without CEL) rejects exactly the same specs.
 */
class CelRulesTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static TestingCrdValidation crd;

    @BeforeAll
    static void load() throws IOException {
        crd = TestingCrdValidation.of("landscapeprobes.landscape.dev-v1.yml");
    }

    @Test
    void everySamplePassesEveryRule() throws IOException {
        try (Stream<Path> files = Files.list(RepositoryPaths.root().resolve("deploy/samples"))) {
            for (Path sample : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                assertThat(crd.violations(Files.readString(sample))).as(sample.getFileName().toString()).isEmpty();
            }
        }
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # field (JSON pointer under the minimal probe) | value (JSON)             | expected violation, or - when accepted
            /spec/selector                                 | {}                       | spec.selector: spec.selector must have matchLabels or matchExpressions
            /spec/selector                                 | {"matchLabels": {}}      | spec.selector: spec.selector must have matchLabels or matchExpressions
            /spec/selector                                 | {"matchExpressions": [{"key": "job", "operator": "Exists"}]} | -
            /spec/thresholds                               | {"edgeOfStabilityWarning": "3", "edgeOfStabilityCritical": "2.5"} | spec.thresholds: thresholds.edgeOfStabilityCritical must not be below edgeOfStabilityWarning
            /spec/thresholds                               | {"edgeOfStabilityCritical": "0.5"} | spec.thresholds: thresholds.edgeOfStabilityCritical must not be below edgeOfStabilityWarning
            /spec/thresholds                               | {"edgeOfStabilityWarning": "2", "edgeOfStabilityCritical": "2"} | -
            /spec/thresholds                               | {"edgeOfStabilityWarning": "1e-1", "edgeOfStabilityCritical": ".5"} | -
            /spec/thresholds/edgeOfStabilityWarning        | "0"                      | spec.thresholds.edgeOfStabilityWarning: must be positive
            /spec/thresholds/spikeZScore                   | "0"                      | spec.thresholds.spikeZScore: must be positive
            /spec/thresholds/spikeZScore                   | "-3"                     | spec.thresholds.spikeZScore: must be positive
            /spec/thresholds/spikeZScore                   | "0.1"                    | -
            /spec/thresholds/updateOscillationCosine       | "-1.5"                   | spec.thresholds.updateOscillationCosine: must lie in [-1, 1] (a cosine)
            /spec/thresholds/updateOscillationCosine       | "1.01"                   | spec.thresholds.updateOscillationCosine: must lie in [-1, 1] (a cosine)
            /spec/thresholds/updateOscillationCosine       | "-1"                     | -
            /spec/thresholds/plateauRelativeChange         | "-1e-4"                  | spec.thresholds.plateauRelativeChange: must not be negative
            /spec/thresholds/plateauRelativeChange         | "0"                      | -
            /spec/thresholds/divergence                    | "0"                      | spec.thresholds.divergence: must be positive
            /spec/thresholds/stepSkewIntervals             | "0"                      | spec.thresholds.stepSkewIntervals: must be positive
            /spec/thresholds/staleIntervals                | "-2"                     | spec.thresholds.staleIntervals: must be positive
            /spec/rank                                     | {"source": "Label"}      | spec.rank: rank.key is required when rank.source is Label, Annotation or Env
            /spec/metrics                                  | {"model": "m.onnx"}      | spec.metrics: metrics.model and metrics.batch must be given together (tier 2 needs both)
            """)
    void specRule(String pointer, String json, String expected) throws IOException {
        ObjectNode probe = minimalProbe();
        set(probe, pointer, YAML.readTree(json));

        List<String> violations = crd.violations(probe.toString());
        List<String> problems = SpecValidator.validate(YAML.treeToValue(probe, LandscapeProbe.class).getSpec());

        if (expected == null) {
            assertThat(violations).isEmpty();
            assertThat(problems).as("SpecValidator agrees with CEL").isEmpty();
        } else {
            assertThat(violations).singleElement().asString().startsWith(expected);
            assertThat(problems).as("SpecValidator agrees with CEL").hasSize(1);
        }
    }

    @ParameterizedTest
    @CsvSource({"63, true", "64, false"})
    void probeNameFitsALabelValue(int length, boolean accepted) throws IOException {
        ObjectNode probe = minimalProbe();
        ((ObjectNode) probe.get("metadata")).put("name", "p".repeat(length));

        List<String> violations = crd.violations(probe.toString());

        if (accepted) {
            assertThat(violations).isEmpty();
        } else {
            assertThat(violations).singleElement().asString().startsWith("<root>: a LandscapeProbe's name must be at most 63 characters");
        }
    }

    private static ObjectNode minimalProbe() throws IOException {
        return (ObjectNode) YAML.readTree(RepositoryPaths.root().resolve("deploy/samples/minimal-probe.yaml").toFile());
    }

    private static void set(ObjectNode root, String pointer, JsonNode value) {
        String[] parts = pointer.substring(1).split("/");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            node = node.has(parts[i]) ? (ObjectNode) node.get(parts[i]) : node.putObject(parts[i]);
        }
        node.set(parts[parts.length - 1], value);
    }
}
