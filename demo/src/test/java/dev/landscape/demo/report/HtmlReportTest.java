package dev.landscape.demo.report;

import dev.landscape.contract.Severity;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The written page as a file: layout of the folder, tables, embedded data and policy, without a browser. */
class HtmlReportTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void writesIndexAndCopiesImagesUnderDistinctNames() throws Exception {
        Path a = TestingReportModels.landscapePng(Files.createDirectories(tmp.resolve("a")), 20, 10);
        Path b = TestingReportModels.landscapePng(Files.createDirectories(tmp.resolve("b")), 30, 10);
        ReportModel model = TestingReportModels.builder(a).image(new ReportImage(b, "second")).build();

        Path index = HtmlReport.write(model, tmp.resolve("out/report"));

        assertThat(index).isEqualTo(tmp.resolve("out/report/index.html")).isRegularFile();
        List<String> sources = Jsoup.parse(index.toFile()).select("img.report-image").eachAttr("src");
        assertThat(sources).containsExactly("image-1-landscape-2d.png", "image-2-landscape-2d.png");
        assertThat(index.resolveSibling(sources.get(0))).hasSameBinaryContentAs(a);
        assertThat(index.resolveSibling(sources.get(1))).hasSameBinaryContentAs(b);
    }

    @Test
    void aMissingImageIsNamed() {
        Path missing = tmp.resolve("nowhere/slice.png");
        ReportModel model = TestingReportModels.realistic(missing);

        assertThatThrownBy(() -> HtmlReport.write(model, tmp.resolve("out")))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining(missing.toString());
    }

    @Test
    void aFileThatIsNoBrowserImageIsRefused() throws Exception {
        Path text = Files.writeString(tmp.resolve("slice.npy"), "not an image");

        assertThatThrownBy(() -> HtmlReport.write(TestingReportModels.realistic(text), tmp.resolve("out")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slice.npy");
    }

    @Test
    void embeddedDataReadsBackAsTheModel() throws Exception {
        ReportModel model = TestingReportModels.realistic(null);

        Document page = Jsoup.parse(HtmlReport.write(model, tmp).toFile());
        JsonNode data = JSON.readTree(page.selectFirst("script#report-data").data());

        assertThat(data.get("metrics")).hasSize(model.metrics().size());
        JsonNode update = data.get("metrics").get(3);
        assertThat(update.get("name").asText()).isEqualTo("relative update");
        assertThat(update.get("scale").asText()).isEqualTo("log");
        JsonNode rank2 = update.get("ranks").get(2);
        assertThat(rank2.get("rank").asInt()).isEqualTo(2);
        assertThat(rank2.get("points")).hasSize(TestingReportModels.STEPS);
        assertThat(rank2.get("points").get(0).get(1).isNull()).as("NaN at step 0").isTrue();
        assertThat(rank2.get("points").get(30).get(1).asDouble())
                .isEqualTo(model.metrics().get(3).ranks().get(2).points().get(30).value());
        JsonNode ratio = data.get("metrics").get(2);
        assertThat(ratio.get("threshold").get("value").asDouble()).isEqualTo(1.0);
        assertThat(data.get("markers").findValuesAsText("kind"))
                .containsExactly("FaultInjected", "Finding", "Finding", "OOMKilled", "Finding", "Restart");
        assertThat(data.get("markers").get(3).get("detail").asText()).isEqualTo("container trainer exit code 137");
        assertThat(data.get("findings").get(2).get("rank").isNull()).isTrue();
    }

    @Test
    void markupInModelStringsStaysText() throws Exception {
        String hostile = "<script>alert('x')</script><img src=x onerror=alert(1)> & \"quoted\"";
        ReportModel model = ReportModel.builder(hostile, hostile, hostile)
                .timing(TestingReportModels.STARTED, Duration.ofMinutes(1))
                .condition(new ConditionRow(hostile, "False", hostile, hostile))
                .finding(new FindingRow(hostile, Severity.WARNING, 1, hostile, 1L, null, hostile, hostile))
                .rank(new RankRow(1, hostile, 3L, 0, hostile, List.of(hostile)))
                .detection(new DetectionRow(hostile, 1, hostile, false, null, 0))
                .event(new EventRow(TestingReportModels.STARTED, hostile, hostile, hostile, hostile))
                .build();

        Document page = Jsoup.parse(HtmlReport.write(model, tmp).toFile());

        assertThat(page.select("script")).hasSize(3);
        assertThat(page.select("img")).isEmpty();
        assertThat(page.title()).isEqualTo(hostile);
        assertThat(page.selectFirst("h1").text()).isEqualTo(hostile);
        for (String table : List.of("#conditions", "#findings", "#ranks", "#detection", "#events")) {
            assertThat(page.select(table + " td").eachText()).as(table).contains(hostile);
        }
    }

    @Test
    void policyAllowsExactlyThePagesOwnScriptsAndStyleAndNoNetwork() throws Exception {
        Document page = Jsoup.parse(HtmlReport.write(TestingReportModels.realistic(null), tmp).toFile());

        String policy = page.selectFirst("meta[http-equiv=Content-Security-Policy]").attr("content");
        assertThat(policy).startsWith("default-src 'none'; img-src 'self';").doesNotContain("unsafe", "http");
        for (Element script : page.select("script:not([type])")) {
            assertThat(policy).contains(ReportPage.hash(script.data()));
        }
        assertThat(policy).contains(ReportPage.hash(page.selectFirst("style").data()));
        assertThat(page.select("script:not([type])")).hasSize(2);
        assertThat(page.select("[src^=http], [href^=http], link")).isEmpty();
    }

    @Test
    void emptySectionsSayNone() throws Exception {
        ReportModel model = ReportModel.builder("empty", "p", "ns")
                .timing(TestingReportModels.STARTED, Duration.ZERO).build();

        Document page = Jsoup.parse(HtmlReport.write(model, tmp).toFile());

        for (String section : List.of("#conditions", "#findings", "#ranks", "#detection", "#events", "#images")) {
            assertThat(page.selectFirst(section + " p.none").text()).as(section).isEqualTo("None.");
        }
    }

    @Test
    void detectionSummaryCountsDetectionsLeadTimesAndFalseAlarms() {
        assertThat(ReportPage.detectionSummary(List.of(
                new DetectionRow("lr spike", 2, "EdgeOfStability", true, 6L, 0),
                new DetectionRow("oom", 2, "OOMKilled", true, 0L, 1),
                new DetectionRow("slow rank", 3, "StepSkew", false, null, 1))))
                .isEqualTo("2 of 3 faults detected; lead time 0 to 6 steps; 2 false alarms");
        assertThat(ReportPage.detectionSummary(List.of(new DetectionRow("nan", 0, "NonFiniteValues", true, 1L, 1))))
                .isEqualTo("1 of 1 fault detected; lead time 1 step; 1 false alarm");
    }

    @Test
    void durationsAndTimesReadAtAGlance() {
        assertThat(ReportPage.duration(Duration.ofSeconds(42))).isEqualTo("42s");
        assertThat(ReportPage.duration(Duration.ofSeconds(187))).isEqualTo("3m 07s");
        assertThat(ReportPage.duration(Duration.ofSeconds(3723))).isEqualTo("1h 02m 03s");
        assertThat(ReportPage.time(TestingReportModels.STARTED.plusMillis(1500))).isEqualTo("2025-06-01T10:00:01Z");
    }

    @Test
    void pageIsUtf8() throws Exception {
        ReportModel model = ReportModel.builder("λmax für Rang 2", "p", "ns")
                .timing(TestingReportModels.STARTED, Duration.ZERO).build();

        Path index = HtmlReport.write(model, tmp);

        assertThat(Files.readString(index, StandardCharsets.UTF_8)).contains("<meta charset=\"utf-8\">",
                "<h1>λmax für Rang 2</h1>");
    }
}
