package dev.landscape.demo.report;

import dev.landscape.contract.Severity;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.select.Elements;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Renders the report in real headless Chromium and checks what a person would see: every chart drawn with a line per
 * rank, ticks, markers and threshold; the image loaded; no script error; pixels on screen. The rendered report is
 * left in {@code target/report-chromium/} for a look (or as a CI artifact).
 */
class HtmlReportChromiumTest {

    private static final Path WORK = Path.of("target", "report-chromium");
    private static final int PNG_WIDTH = 96;
    private static final int PNG_HEIGHT = 64;
    /** A line across the plot is ~500 px long; other ranks' lines, drawn later, may cover much of it. */
    private static final int MIN_LINE_PIXELS = 40;

    private static TestingChromium chromium;
    private static ReportModel model;
    private static Path page;
    private static Document dom;

    @BeforeAll
    static void renderOnce() throws Exception {
        deleteRecursively(WORK);
        Files.createDirectories(WORK);
        chromium = TestingChromium.find(WORK).orElse(null);
        if (chromium == null) {
            return;
        }
        Path inputs = Files.createDirectories(WORK.resolve("inputs"));
        model = TestingReportModels.realistic(TestingReportModels.landscapePng(inputs, PNG_WIDTH, PNG_HEIGHT));
        page = HtmlReport.write(model, WORK.resolve("report"));
        dom = Jsoup.parse(chromium.dumpDom(page));
    }

    /** Per test, not in {@code @BeforeAll}: there surefire would report no tests at all instead of skipped ones. */
    @BeforeEach
    void needsChromium() {
        assumeTrue(chromium != null, TestingChromium.INSTALL_HINT);
    }

    @Test
    void rendersWithoutScriptErrors() {
        assertThat(dom.selectFirst("#render-errors").children()).as("script errors").isEmpty();
        assertThat(dom.selectFirst("html").attr("data-render")).isEqualTo("ok");
    }

    @Test
    void drawsOneChartPerMetricWithOneLinePerRankAndALegend() {
        assertThat(dom.select("#charts-root > figure.chart")).hasSize(model.metrics().size());
        for (MetricSeries metric : model.metrics()) {
            Element svg = chartSvg(metric.name());
            List<String> modelRanks = metric.ranks().stream().map(r -> String.valueOf(r.rank())).toList();
            Elements lines = svg.select("path.series");
            assertThat(lines.eachAttr("data-rank")).as(metric.name()).containsExactlyElementsOf(modelRanks);
            assertThat(lines.eachAttr("d")).as(metric.name()).allSatisfy(d -> assertThat(d).startsWith("M"));
            assertThat(new HashSet<>(lines.eachAttr("stroke"))).as("one colour per rank").hasSize(modelRanks.size());
            assertThat(svg.select(".legend-item text").eachText()).as(metric.name())
                    .containsExactlyElementsOf(modelRanks.stream().map(r -> "rank " + r).toList());
        }
    }

    @Test
    void everyFinitePointIsOnTheLineAndNonFiniteOnesAreGaps() {
        MetricSeries relativeUpdate = metric("relative update");
        for (MetricSeries.RankSeries rank : relativeUpdate.ranks()) {
            long finite = rank.points().stream().filter(p -> Double.isFinite(p.value())).count();
            String d = chartSvg("relative update").selectFirst("path.series[data-rank=" + rank.rank() + "]").attr("d");
            assertThat(d.chars().filter(c -> c == 'M' || c == 'L').count()).isEqualTo(finite);
            assertThat(finite).isLessThan(rank.points().size());
        }
    }

    @Test
    void axesHaveLabelledTicksAndChartsShareTheirSteps() {
        List<String> firstChartsSteps = chartSvg(model.metrics().get(0).name()).select("g.tick-x text").eachText();
        for (MetricSeries metric : model.metrics()) {
            assertThat(chartSvg(metric.name()).select("g.tick-x text").eachText()).as(metric.name())
                    .isEqualTo(firstChartsSteps);
            Element svg = chartSvg(metric.name());
            assertThat(svg.select("g.tick-x text").eachText()).as(metric.name() + " x ticks").hasSizeGreaterThan(2)
                    .allSatisfy(t -> assertThat(t).matches("\\d+"));
            assertThat(svg.select("g.tick-y text").eachText()).as(metric.name() + " y ticks").hasSizeGreaterThan(1)
                    .allSatisfy(t -> assertThat(t).isNotBlank());
        }
    }

    @Test
    void logScaleSpacesDecadesEvenlyAndLinearScaleSpacesValuesEvenly() {
        List<double[]> log = tickPositions(chartSvg("gradient norm"));
        assertThat(log).hasSizeGreaterThan(2);
        double pixelsPerDecade = (log.get(0)[1] - log.get(1)[1]) / (Math.log10(log.get(1)[0]) - Math.log10(log.get(0)[0]));
        for (int i = 1; i < log.size(); i++) {
            double decades = Math.log10(log.get(i)[0]) - Math.log10(log.get(i - 1)[0]);
            assertThat(log.get(i - 1)[1] - log.get(i)[1]).isCloseTo(decades * pixelsPerDecade, within(0.5));
        }
        List<double[]> linear = tickPositions(chartSvg("loss"));
        double pixelsPerUnit = (linear.get(0)[1] - linear.get(1)[1]) / (linear.get(1)[0] - linear.get(0)[0]);
        for (int i = 1; i < linear.size(); i++) {
            assertThat(linear.get(i - 1)[1] - linear.get(i)[1])
                    .isCloseTo((linear.get(i)[0] - linear.get(i - 1)[0]) * pixelsPerUnit, within(0.5));
        }
    }

    @Test
    void thresholdLineOnlyWhereTheModelHasOne() {
        for (MetricSeries metric : model.metrics()) {
            Elements threshold = chartSvg(metric.name()).select("line.threshold");
            if (metric.threshold() == null) {
                assertThat(threshold).as(metric.name()).isEmpty();
            } else {
                assertThat(threshold).as(metric.name()).hasSize(1);
                assertThat(Double.parseDouble(threshold.attr("data-value"))).isEqualTo(metric.threshold().value());
                assertThat(chartSvg(metric.name()).select("text.threshold-label").text())
                        .isEqualTo(metric.threshold().label());
            }
        }
    }

    @Test
    void everyChartCarriesEveryMarkerWithItsHoverText() {
        for (MetricSeries metric : model.metrics()) {
            Elements markers = chartSvg(metric.name()).select("g.marker");
            assertThat(markers).as(metric.name()).hasSize(model.markers().size());
            assertThat(markers.stream().map(m -> m.attr("data-kind")).collect(Collectors.toSet()))
                    .containsExactlyInAnyOrder("OOMKilled", "Restart", "Finding", "FaultInjected");
            Element oom = markers.select("g.marker[data-kind=OOMKilled]").first();
            assertThat(oom.attr("data-rank")).isEqualTo("2");
            assertThat(oom.attr("data-step")).isEqualTo("31");
            assertThat(oom.selectFirst("title").text())
                    .isEqualTo("OOM killed on rank 2 at step 31: container trainer exit code 137");
            assertThat(markers.select("g.marker[data-kind=Finding] > title").eachText())
                    .contains("Finding InstabilityBeforeFailure (critical) on rank 2 at step 31: "
                            + "OOMKilled 6 steps after EdgeOfStability");
            assertThat(oom.select("path, circle")).as("a visible glyph").isNotEmpty();
        }
    }

    @Test
    void imagesAreCopiedBesideThePageAndLoaded() {
        Elements images = dom.select("#images img.report-image");
        assertThat(images).hasSize(1);
        Element image = images.first();
        assertThat(Files.isRegularFile(page.resolveSibling(image.attr("src")))).isTrue();
        assertThat(image.attr("data-loaded")).isEqualTo("true");
        assertThat(image.attr("data-natural-width")).isEqualTo(String.valueOf(PNG_WIDTH));
        assertThat(image.closest("figure").selectFirst("figcaption").text()).isEqualTo(model.images().get(0).caption());
    }

    @Test
    void tablesShowTheModelsRows() {
        assertThat(dom.select("#conditions tbody tr")).hasSize(model.conditions().size());
        assertThat(dom.select("#findings tbody tr")).hasSize(model.findings().size());
        assertThat(dom.select("#findings tbody tr").first().text()).startsWith("critical InstabilityBeforeFailure");
        assertThat(dom.select("#events tbody tr td:first-child").eachText()).isSorted();
        assertThat(dom.select("#detection tbody tr.missed")).hasSize(1);
        assertThat(dom.select("#ranks tbody tr")).hasSize(TestingReportModels.RANKS);
    }

    @Test
    void plotAreaOfTheScreenshotShowsEveryRanksLine() throws Exception {
        Element svg = chartSvg("gradient norm");
        int[] box = Stream.of(svg.attr("data-box").split(",")).mapToInt(Integer::parseInt).toArray();
        assertThat(box[1] + box[3]).as("chart inside the screenshot").isLessThanOrEqualTo(TestingChromium.HEIGHT);
        double scale = box[2] / Double.parseDouble(svg.attr("width"));
        Element xAxis = svg.select("g.axis-x > line").last();
        Element yAxis = svg.select("g.axis-y > line").last();
        int left = box[0] + (int) Math.ceil(Double.parseDouble(xAxis.attr("x1")) * scale) + 2;
        int right = box[0] + (int) Math.floor(Double.parseDouble(xAxis.attr("x2")) * scale);
        int top = box[1] + (int) Math.ceil(Double.parseDouble(yAxis.attr("y1")) * scale);
        int bottom = box[1] + (int) Math.floor(Double.parseDouble(yAxis.attr("y2")) * scale) - 2;
        BufferedImage shot = ImageIO.read(chromium.screenshot(page).toFile());
        BufferedImage plot = shot.getSubimage(left, top, right - left, bottom - top);

        Set<Integer> distinct = new HashSet<>();
        for (int y = 0; y < plot.getHeight(); y++) {
            for (int x = 0; x < plot.getWidth(); x++) {
                distinct.add(plot.getRGB(x, y) & 0xffffff);
            }
        }
        assertThat(distinct).as("colours in the plot area").hasSizeGreaterThan(20);
        for (Element line : svg.select("path.series")) {
            int colour = Integer.parseInt(line.attr("stroke").substring(1), 16);
            assertThat(pixelsNear(plot, colour)).as("plot pixels of rank " + line.attr("data-rank") + "'s colour")
                    .isGreaterThan(MIN_LINE_PIXELS);
        }
    }

    @Test
    void aScriptErrorIsReportedOnThePage() throws Exception {
        Path broken = WORK.resolve("broken");
        Path index = HtmlReport.write(TestingReportModels.realistic(null), broken);
        String html = Files.readString(index, StandardCharsets.UTF_8);
        Files.writeString(index, html.replace("\"metrics\":[", "\"metrics\":7,\"was\":["), StandardCharsets.UTF_8);

        Document rendered = Jsoup.parse(chromium.dumpDom(index));

        assertThat(rendered.selectFirst("html").attr("data-render")).isEqualTo("error");
        assertThat(rendered.select("#render-errors li").eachText()).singleElement().asString().contains("forEach");
    }

    @Test
    void markupInModelStringsIsShownAsTextAndNeverRuns() throws Exception {
        String hostile = "</script><script>document.documentElement.setAttribute('data-pwned','script')</script>"
                + "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\"><!--";
        ReportModel model = TestingReportModels.builder(null)
                .metric(MetricSeries.of("loss " + hostile, hostile, MetricSeries.Scale.LINEAR,
                        Map.of(0, List.of(new MetricSeries.Point(1, 1.0), new MetricSeries.Point(2, 0.5)))))
                .marker(new Marker(0, 2, new Marker.FaultInjected(hostile), hostile))
                .finding(new FindingRow(hostile, Severity.CRITICAL, 0, hostile, 2L, null, hostile, hostile))
                .event(new EventRow(TestingReportModels.STARTED, "Warning", hostile, hostile, hostile))
                .build();
        Path index = HtmlReport.write(model, WORK.resolve("hostile"));

        Document rendered = Jsoup.parse(chromium.dumpDom(index));

        assertThat(rendered.selectFirst("html").attr("data-pwned")).isEmpty();
        assertThat(rendered.selectFirst("html").attr("data-render")).isEqualTo("ok");
        assertThat(rendered.select("script")).hasSize(3);
        assertThat(rendered.select("img:not(.report-image)")).isEmpty();
        assertThat(rendered.select("#findings td").eachText()).contains(hostile);
        assertThat(rendered.select("#events td").eachText()).contains(hostile);
        assertThat(rendered.select("figure.chart figcaption").eachText()).contains("loss " + hostile + " (" + hostile + ")");
        assertThat(rendered.select("g.marker[data-kind=FaultInjected] > title").eachText())
                .contains("Fault injected: " + hostile + " on rank 0 at step 2: " + hostile);
    }

    private static Element chartSvg(String metric) {
        Element figure = dom.select("figure.chart").stream()
                .filter(f -> f.attr("data-metric").equals(metric)).findFirst()
                .orElseThrow(() -> new AssertionError("no chart for " + metric));
        return figure.selectFirst("svg");
    }

    private static MetricSeries metric(String name) {
        return model.metrics().stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
    }

    /** (value, pixel y) of each y tick, by value. */
    private static List<double[]> tickPositions(Element svg) {
        List<double[]> out = new ArrayList<>();
        for (Element tick : svg.select("g.tick-y")) {
            out.add(new double[]{Double.parseDouble(tick.attr("data-value")),
                    Double.parseDouble(tick.selectFirst("line").attr("y1"))});
        }
        out.sort(Comparator.comparingDouble(t -> t[0]));
        return out;
    }

    private static int pixelsNear(BufferedImage image, int rgb) {
        int count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int p = image.getRGB(x, y);
                int dr = ((p >> 16) & 0xff) - ((rgb >> 16) & 0xff);
                int dg = ((p >> 8) & 0xff) - ((rgb >> 8) & 0xff);
                int db = (p & 0xff) - (rgb & 0xff);
                if (dr * dr + dg * dg + db * db <= 30 * 30) {
                    count++;
                }
            }
        }
        return count;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
