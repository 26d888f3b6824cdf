package dev.landscape.demo.scenario;

import dev.landscape.contract.Reason;
import dev.landscape.demo.cluster.Layout;
import dev.landscape.demo.report.TestingChromium;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The project's end-to-end test: the demo's scenario, shorter, with everything real that can be here (the operator
 * as built and as deploy/ configures it, one sidecar process per rank, the ND4J training job, the webhook called by
 * the API server over HTTPS, TokenReviews, reports over HTTPS trusting the CA in the pod) on the strict embedded API
 * server with the rendered deploy/ installed. Each injected fault must be published as the right finding on the
 * right rank, the edge of stability before the loss spike, and nothing else may be raised; every sidecar must have
 * reported over HTTPS without a TLS error. The detection-quality table is printed, and docs/demo.md's detection
 * section must be the one this run produced ({@link DetectionSection}).
 */
class DemoScenarioE2ETest {

    @Test
    void everyFaultIsFoundOnItsRankBeforeTheFailureAndCleanRanksStayQuiet(@TempDir Path out) throws Exception {
        Layout layout = Layout.discover();
        DemoScenario.Outcome o = new DemoScenario(layout, out, true, Timings.demo(), System.out).run();
        DetectionQuality.Result q = o.quality();

        assertThat(q.rows()).as("expected findings").isNotEmpty();
        assertThat(q.rows()).allSatisfy(r -> assertThat(r.found())
                .as("%s on rank %d (%s)", r.expected().reason(), r.expected().rank(), r.expected().fault()).isTrue());
        assertThat(q.falseAlarms()).as("findings no injected fault explains").isEmpty();
        DetectionQuality.Row eos = q.rows().stream().filter(r -> r.expected().reason() == Reason.EdgeOfStability)
                .findFirst().orElseThrow();
        assertThat(eos.leadSteps()).as("EdgeOfStability's lead over the LossSpike, in steps").isNotNull().isPositive();
        assertThat(o.sidecars()).as("sidecars").hasSize(DemoScenario.RANKS).allSatisfy(t -> {
            assertThat(t.reportUrl()).as(t.pod()).isEqualTo("https://landscape-operator.landscape-system.svc/api/v1alpha1/reports");
            assertThat(t.tlsErrors()).as("TLS errors in the log of %s", t.pod()).isEmpty();
        });
        assertThat(o.report()).exists();
        DetectionSection.checkOrUpdate(layout.root().resolve("docs/demo.md"), Files.readString(o.detection()));
        assertThat(Files.readString(o.report())).contains("EdgeOfStability", "WorkerDivergence", "InstabilityBeforeFailure");

        // The run's own report, rendered by real headless Chromium where it is installed (CI installs it): every
        // metric chart with a line per rank, the OOM kill marked, the loss-landscape images loaded, no script error.
        java.util.Optional<TestingChromium> chromium = TestingChromium.find(Files.createDirectories(out.resolve("chromium")));
        org.junit.jupiter.api.Assumptions.assumeTrue(chromium.isPresent(), "headless Chromium is not installed; the report check needs it");
        Document dom = Jsoup.parse(chromium.get().dumpDom(o.report()));
        assertThat(dom.selectFirst("html").attr("data-render")).isEqualTo("ok");
        assertThat(dom.select("#charts-root > figure.chart[data-lines=rank]")).hasSize(6).allSatisfy(chart ->
                assertThat(chart.select("path.series")).as(chart.text()).hasSize(DemoScenario.RANKS));
        // Rank 0's eval loss per class: one line for each of the demo model's classes, each drawn through points.
        assertThat(dom.select("#charts-root > figure.chart[data-lines=class]")).singleElement().satisfies(chart ->
                assertThat(chart.select("path.series")).hasSize(dev.landscape.demo.training.TrainingConfig.demo().classes())
                        .allSatisfy(p -> assertThat(Integer.parseInt(p.attr("data-points"))).isPositive()));
        assertThat(dom.select("g.marker[data-kind=OOMKilled]")).isNotEmpty();
        assertThat(dom.select("#images img.report-image")).hasSize(2)
                .allSatisfy(img -> assertThat(img.attr("data-loaded")).isEqualTo("true"));
    }
}
