package dev.landscape.operator.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Grafana dashboard and the alert rules query only metrics that the operator and the sidecar actually export
 * (read from the metric registrations in OperatorMetrics and SidecarTelemetry, named as Prometheus names them:
 * dots become underscores, counters get {@code _total}, histograms {@code _bucket}/{@code _sum}/{@code _count}).
 */
class DashboardMetricsTest {

    private static final Pattern REGISTRATION = Pattern.compile("(counterBuilder|gaugeBuilder|histogramBuilder|gauge|rankGauge)\\((?:meter, )?\"(landscape\\.[a-z_.]+)\"");
    private static final Pattern RECORDED = Pattern.compile("\\b(landscape:[a-z_:0-9]+)");
    private static final Pattern QUERIED = Pattern.compile("\\b(landscape_[a-z_]+)\\b");

    @Test
    void dashboardQueriesOnlyExportedMetrics() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(Manifests.ROOT.resolve("deploy/grafana/landscape-probe.json").toFile());
        Set<String> queried = new TreeSet<>();
        dashboard.findValues("expr").forEach(e -> queried.addAll(names(e.asText())));
        dashboard.findValues("query").forEach(e -> queried.addAll(names(e.asText())));

        assertThat(queried).hasSizeGreaterThanOrEqualTo(8);
        assertThat(exported()).containsAll(queried);
        assertThat(dashboard.path("panels")).hasSizeGreaterThanOrEqualTo(6);
    }

    /** Series the dashboard and the alerts read from recording rules (landscape:...) are recorded by the rule file. */
    @Test
    void recordedSeriesThatAreQueriedAreRecorded() throws IOException {
        String rules = Files.readString(Manifests.ROOT.resolve("deploy/prometheus/landscape-rules.yaml"));
        Set<String> recorded = new TreeSet<>();
        Matcher r = Pattern.compile("(?m)^\\s*- record: (\\S+)$").matcher(rules);
        while (r.find()) {
            recorded.add(r.group(1));
        }
        Set<String> queried = new TreeSet<>(recordedNames(rules));
        queried.addAll(recordedNames(Files.readString(Manifests.ROOT.resolve("deploy/grafana/landscape-probe.json"))));

        assertThat(recorded).contains("landscape:slo_training_unstable", "landscape:findings_alert");
        assertThat(recorded).containsAll(queried);
    }

    private static Set<String> recordedNames(String text) {
        Set<String> out = new TreeSet<>();
        Matcher m = RECORDED.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void alertRulesQueryOnlyExportedMetrics() throws IOException {
        Set<String> queried = names(Files.readString(Manifests.ROOT.resolve("deploy/prometheus/landscape-rules.yaml")));

        assertThat(exported()).containsAll(queried);
    }

    static Set<String> exported() throws IOException {
        Set<String> out = new TreeSet<>();
        for (String source : new String[] {
                "operator/src/main/java/dev/landscape/operator/alert/OperatorMetrics.java",
                "probe-sidecar/src/main/java/dev/landscape/probe/report/SidecarTelemetry.java"}) {
            Matcher m = REGISTRATION.matcher(Files.readString(Manifests.ROOT.resolve(source)));
            while (m.find()) {
                String base = m.group(2).replace('.', '_');
                switch (m.group(1)) {
                    case "counterBuilder" -> out.add(base + "_total");
                    case "histogramBuilder" -> {
                        out.add(base + "_seconds_bucket");
                        out.add(base + "_seconds_sum");
                        out.add(base + "_seconds_count");
                    }
                    default -> out.add(base);
                }
            }
        }
        return out;
    }

    /** Label names that start like metric names. */
    private static final Set<String> LABELS = Set.of("landscape_probe", "landscape_rank", "landscape_reason", "landscape_severity",
            "landscape_outcome", "landscape_family", "landscape_cause");

    private static Set<String> names(String text) {
        Set<String> out = new TreeSet<>();
        Matcher m = QUERIED.matcher(text);
        while (m.find()) {
            if (!LABELS.contains(m.group(1))) {
                out.add(m.group(1));
            }
        }
        return out;
    }
}
