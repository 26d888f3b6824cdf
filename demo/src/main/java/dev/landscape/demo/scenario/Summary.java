package dev.landscape.demo.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Event;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What an on-call engineer reads after the run, in the shapes {@code kubectl} prints: {@code get lp} (the CRD's
 * printer columns), a per-rank table from the ProbeReports, the probe's conditions and the Events timeline.
 */
final class Summary {

    private final ProbeWatcher watcher;

    Summary(ProbeWatcher watcher) {
        this.watcher = watcher;
    }

    void print(Progress out) {
        JsonNode probe = watcher.probe().orElseThrow(() -> new IllegalStateException("the probe was never read"));
        JsonNode st = probe.path("status");
        out.section("$ kubectl get lp -n " + DemoScenario.NAMESPACE);
        out.print(new TextTable(40, "NAME", "READY", "RANKS", "STEP", "EOS", "GRADNORM", "DIVERGENCE", "RESTARTS", "OOMS", "AGE")
                .row(probe.path("metadata").path("name").asText(), condition(st, "Ready"), num(st, "ranks"), num(st, "latestStep"),
                        dec(st, "worstEosRatio"), dec(st, "maxGradNorm"), dec(st, "maxDivergence"), num(st, "restarts"),
                        num(st, "oomKills"), age(probe.path("metadata").path("creationTimestamp").asText()))
                .toString());

        out.section("Ranks (ProbeReports)");
        Map<Integer, List<ProbeWatcher.Seen>> byRank = watcher.firstSeen().stream().filter(s -> s.rank() != null)
                .collect(Collectors.groupingBy(ProbeWatcher.Seen::rank));
        TextTable ranks = new TextTable(70, "RANK", "POD", "STEP", "LOSS", "GRADNORM", "EOS", "RESTARTS", "OOMS",
                "LAST REPORT", "FINDINGS (FIRST STEP)");
        watcher.reports().forEach((rank, r) -> {
            JsonNode rs = r.path("status");
            String findings = byRank.getOrDefault(rank, List.of()).stream()
                    .map(s -> s.reason() + (s.step() == null ? "" : "@" + s.step())).distinct().collect(Collectors.joining(", "));
            ranks.row(rank, rs.path("currentPod").asText("-"), num(rs, "latestStep"), dec(rs, "latestLoss"),
                    dec(rs, "latestGradNorm"), dec(rs, "latestEosRatio"), num(rs, "restarts"), num(rs, "oomKills"),
                    age(rs.path("lastReportTime").asText()) + " ago", findings.isEmpty() ? "-" : findings);
        });
        out.print(ranks.toString());

        out.section("Conditions");
        TextTable conditions = new TextTable(110, "TYPE", "STATUS", "REASON", "MESSAGE");
        for (JsonNode c : st.path("conditions")) {
            conditions.row(c.path("type").asText(), c.path("status").asText(), c.path("reason").asText(), c.path("message").asText());
        }
        out.print(conditions.toString());

        out.section("Events (oldest first)");
        TextTable events = new TextTable(110, "TIME", "TYPE", "REASON", "OBJECT", "MESSAGE");
        for (Event e : watcher.events()) {
            events.row(e.getFirstTimestamp() == null ? "-" : e.getFirstTimestamp().substring(11, 19), e.getType(), e.getReason(),
                    e.getInvolvedObject().getKind().toLowerCase(Locale.ROOT) + "/" + e.getInvolvedObject().getName(), e.getMessage());
        }
        out.print(events.toString());
    }

    private static String condition(JsonNode status, String type) {
        for (JsonNode c : status.path("conditions")) {
            if (type.equals(c.path("type").asText())) {
                return c.path("status").asText();
            }
        }
        return "-";
    }

    private static String num(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : "-";
    }

    private static String dec(JsonNode n, String field) {
        return n.hasNonNull(field) ? String.format(Locale.ROOT, "%.4g", n.get(field).asDouble()) : "-";
    }

    private static String age(String timestamp) {
        if (timestamp == null || timestamp.isEmpty()) {
            return "-";
        }
        Duration d = Duration.between(Instant.parse(timestamp), Instant.now());
        return d.toMinutes() > 0 ? d.toMinutes() + "m" + d.toSecondsPart() + "s" : d.toSeconds() + "s";
    }
}
