package dev.landscape.demo.report;

import dev.landscape.contract.Severity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.LongStream;

/**
 * The page's HTML. Tables are static HTML, so they read without script; every string from the model goes through
 * {@link #escape}. The two scripts run under a Content-Security-Policy that names them by hash, so even markup that got
 * past escaping could not run script, and {@code default-src 'none'} keeps the page from fetching anything.
 */
final class ReportPage {

    /**
     * Runs first (in {@code <head>}): records any script error, including a syntax error in the chart script, on
     * {@code <html data-render="error">} and in a list the page shows, so a broken page says so.
     */
    static final String ERROR_CAPTURE = """
            window.addEventListener('error', function (e) {
              var root = document.documentElement;
              root.setAttribute('data-render', 'error');
              var list = document.getElementById('render-errors');
              if (!list) { list = document.createElement('ul'); list.id = 'render-errors'; root.appendChild(list); }
              list.hidden = false;
              var item = document.createElement('li');
              item.textContent = (e.message || 'error') + ' (' + (e.filename || 'page') + ':' + (e.lineno || 0) + ')';
              list.appendChild(item);
            });
            """;

    private ReportPage() {
    }

    static String render(ReportModel model, List<String> imageNames, String json, String css, String script) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\" data-render=\"pending\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src 'self';")
                .append(" style-src ").append(hash(css)).append("; script-src ").append(hash(ERROR_CAPTURE))
                .append(' ').append(hash(script)).append("\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(escape(model.title())).append("</title>\n")
                .append("<script>").append(ERROR_CAPTURE).append("</script>\n")
                .append("<style>").append(css).append("</style>\n</head>\n<body>\n");
        header(model, h);
        h.append("<ul id=\"render-errors\" hidden></ul>\n");
        section(h, "conditions", "Conditions", model.conditions(), ReportPage::conditions);
        section(h, "findings", "Findings", model.findings(), ReportPage::findings);
        h.append("<section id=\"charts\">\n<h2>Metrics per rank</h2>\n")
                .append("<div id=\"marker-key\" class=\"marker-key\"></div>\n<div id=\"charts-root\"></div>\n")
                .append("<noscript><p>The charts are drawn by the page's script; the numbers are in the JSON")
                .append(" element <code>#report-data</code>.</p></noscript>\n</section>\n");
        section(h, "ranks", "Ranks", model.ranks(), ReportPage::ranks);
        section(h, "detection", "Detection quality", model.detection(), ReportPage::detection);
        images(model, imageNames, h);
        section(h, "events", "Events", model.events(), ReportPage::events);
        h.append("<script type=\"application/json\" id=\"report-data\">").append(json).append("</script>\n")
                .append("<script>").append(script).append("</script>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void header(ReportModel model, StringBuilder h) {
        long critical = model.findings().stream().filter(f -> f.severity() == Severity.CRITICAL).count();
        long warnings = model.findings().stream().filter(f -> f.severity() == Severity.WARNING).count();
        long ooms = model.markers().stream().filter(m -> m.kind() instanceof Marker.OomKilled).count();
        int restarts = model.ranks().stream().mapToInt(RankRow::restarts).sum();
        LongStream steps = model.ranks().stream().map(RankRow::latestStep).filter(Objects::nonNull)
                .mapToLong(Long::longValue);
        h.append("<header>\n<h1>").append(escape(model.title())).append("</h1>\n<p class=\"meta\">LandscapeProbe <b>")
                .append(escape(model.namespace())).append('/').append(escape(model.probe())).append("</b> · started ")
                .append(escape(time(model.started()))).append(" · ran ").append(escape(duration(model.duration())))
                .append("</p>\n<ul class=\"glance\">\n")
                .append(glance(critical, "critical finding", critical > 0 ? "bad" : "good"))
                .append(glance(warnings, "warning", warnings > 0 ? "warn" : "good"))
                .append(glance(ooms, "OOM kill", ooms > 0 ? "bad" : "good"))
                .append(glance(restarts, "restart", restarts > 0 ? "warn" : "good"))
                .append(glance(model.ranks().size(), "rank", "plain"));
        steps.max().ifPresent(step -> h.append("<li class=\"plain\"><b>").append(step)
                .append("</b> latest step</li>\n"));
        h.append("</ul>\n</header>\n");
    }

    private static String glance(long count, String noun, String tone) {
        return "<li class=\"" + tone + "\"><b>" + count + "</b> " + noun + (count == 1 ? "" : "s") + "</li>\n";
    }

    private static <T> void section(StringBuilder h, String id, String heading, List<T> rows,
                                    Function<List<T>, String> table) {
        h.append("<section id=\"").append(id).append("\">\n<h2>").append(heading).append("</h2>\n");
        h.append(rows.isEmpty() ? "<p class=\"none\">None.</p>\n" : table.apply(rows));
        h.append("</section>\n");
    }

    private static String conditions(List<ConditionRow> rows) {
        Table t = new Table("Type", "Status", "Reason", "Message");
        for (ConditionRow c : rows) {
            String tone = switch (c.status()) {
                case "True" -> "true";
                case "False" -> "false";
                default -> "unknown";
            };
            t.row("status-" + tone, cell(c.type()), "<td class=\"status\">" + escape(c.status()) + "</td>",
                    cell(c.reason()), cell(c.message()));
        }
        return t.html();
    }

    private static String findings(List<FindingRow> rows) {
        Table t = new Table("Severity", "Reason", "Rank", "Pod", "Step", "Since", "Message", "Remedy");
        rows.stream()
                .sorted(Comparator.comparing(FindingRow::severity).reversed())
                .forEach(f -> t.row("severity-" + f.severity().label(),
                        "<td><span class=\"badge " + f.severity().label() + "\">" + f.severity().label()
                                + "</span></td>",
                        cell(f.reason()), number(f.rank()), nowrap(f.pod()), number(f.step()),
                        nowrap(time(f.since())),
                        cell(f.message()), cell(f.remedy())));
        return t.html();
    }

    private static String ranks(List<RankRow> rows) {
        Table t = new Table("Rank", "Pod", "Latest step", "Restarts", "Last termination", "Findings");
        rows.stream().sorted(Comparator.comparingInt(RankRow::rank)).forEach(r -> t.row(
                r.restarts() > 0 || !r.lastTermination().isEmpty() ? "troubled" : "",
                number(r.rank()), nowrap(r.pod()), number(r.latestStep()), number(r.restarts()),
                cell(r.lastTermination()), cell(String.join(", ", r.findings()))));
        return t.html();
    }

    private static String detection(List<DetectionRow> rows) {
        Table t = new Table("Fault", "Rank", "Expected reason", "Detected", "Lead time (steps)", "False alarms");
        for (DetectionRow d : rows) {
            t.row(d.detected() ? "detected" : "missed", cell(d.fault()), number(d.rank()), cell(d.expectedReason()),
                    "<td>" + (d.detected() ? "yes" : "<b>no</b>") + "</td>", number(d.leadTimeSteps()),
                    number(d.falseAlarms()));
        }
        return "<p class=\"summary\">" + escape(detectionSummary(rows)) + "</p>\n" + t.html();
    }

    /** E.g. {@code 3 of 4 faults detected; lead time 2 to 6 steps; 1 false alarm}. */
    static String detectionSummary(List<DetectionRow> rows) {
        long detected = rows.stream().filter(DetectionRow::detected).count();
        int falseAlarms = rows.stream().mapToInt(DetectionRow::falseAlarms).sum();
        StringBuilder s = new StringBuilder().append(detected).append(" of ").append(rows.size())
                .append(rows.size() == 1 ? " fault" : " faults").append(" detected");
        var leads = rows.stream().filter(DetectionRow::detected).map(DetectionRow::leadTimeSteps)
                .filter(Objects::nonNull).mapToLong(Long::longValue).summaryStatistics();
        if (leads.getCount() > 0) {
            s.append("; lead time ").append(leads.getMin() == leads.getMax() ? String.valueOf(leads.getMin())
                    : leads.getMin() + " to " + leads.getMax()).append(leads.getMax() == 1 ? " step" : " steps");
        }
        return s.append("; ").append(falseAlarms).append(falseAlarms == 1 ? " false alarm" : " false alarms")
                .toString();
    }

    private static void images(ReportModel model, List<String> imageNames, StringBuilder h) {
        h.append("<section id=\"images\">\n<h2>Loss landscape</h2>\n");
        if (model.images().isEmpty()) {
            h.append("<p class=\"none\">None.</p>\n");
        }
        for (int i = 0; i < model.images().size(); i++) {
            String caption = escape(model.images().get(i).caption());
            String src = escape(imageNames.get(i));
            h.append("<figure class=\"image\"><a href=\"").append(src).append("\"><img class=\"report-image\" src=\"")
                    .append(src).append("\" alt=\"").append(caption).append("\" data-loaded=\"pending\"></a>")
                    .append("<figcaption>").append(caption).append("</figcaption></figure>\n");
        }
        h.append("</section>\n");
    }

    private static String events(List<EventRow> rows) {
        Table t = new Table("Time", "Type", "Reason", "Object", "Message");
        rows.stream().sorted(Comparator.comparing(EventRow::time)).forEach(e -> t.row(
                "Warning".equals(e.type()) ? "warning" : "",
                nowrap(time(e.time())), cell(e.type()), cell(e.reason()), cell(e.object()), cell(e.message())));
        return t.html();
    }

    /** A table: header cells, then rows of already-escaped cells. */
    private static final class Table {
        private final StringBuilder html = new StringBuilder("<table>\n<thead><tr>");

        Table(String... headings) {
            for (String heading : headings) {
                html.append("<th>").append(escape(heading)).append("</th>");
            }
            html.append("</tr></thead>\n<tbody>\n");
        }

        void row(String cssClass, String... cells) {
            html.append(cssClass.isEmpty() ? "<tr>" : "<tr class=\"" + cssClass + "\">");
            for (String cell : cells) {
                html.append(cell);
            }
            html.append("</tr>\n");
        }

        String html() {
            return html + "</tbody>\n</table>\n";
        }
    }

    private static String cell(String text) {
        return text == null || text.isEmpty() ? "<td class=\"empty\">—</td>" : "<td>" + escape(text) + "</td>";
    }

    /** For names and times, which are easier to read whole than wrapped. */
    private static String nowrap(String text) {
        return text == null || text.isEmpty() ? cell(text) : "<td class=\"nowrap\">" + escape(text) + "</td>";
    }

    private static String number(Number n) {
        return n == null ? "<td class=\"empty num\">—</td>" : "<td class=\"num\">" + n + "</td>";
    }

    /** Escapes text for HTML element content and double- or single-quoted attribute values. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** UTC, to the second: {@code 2025-06-01T10:00:03Z}; empty for {@code null}. */
    static String time(Instant t) {
        return t == null ? "" : t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** {@code 42s}, {@code 3m 07s}, {@code 1h 02m 03s}. */
    static String duration(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format("%dm %02ds", s / 60, s % 60);
        }
        return String.format("%dh %02dm %02ds", s / 3600, s % 3600 / 60, s % 60);
    }

    /** A CSP source expression for an inline script or style element with exactly this text. */
    static String hash(String inlineText) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(inlineText.getBytes(StandardCharsets.UTF_8));
            return "'sha256-" + Base64.getEncoder().encodeToString(digest) + "'";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
