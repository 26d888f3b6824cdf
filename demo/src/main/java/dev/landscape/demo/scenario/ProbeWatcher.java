package dev.landscape.demo.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Reads what the operator published, as a person with {@code kubectl} would: the LandscapeProbe's status (findings,
 * conditions, aggregates), the per-rank ProbeReports (checkpoint history and infrastructure events) and the Events.
 * Polled during the run, it keeps every finding it saw, by reason, rank and step (status findings are current
 * state, so one that cleared would otherwise be lost; the ProbeReports' checkpoint history keeps the sidecar's
 * findings of each checkpoint), and each rank's checkpoint history.
 */
public final class ProbeWatcher {

    /** A finding as first seen in the probe's status. */
    public record Seen(String reason, String severity, Integer rank, String pod, Long step, String since, String message,
                       String remedy, Instant firstSeen) {
        String key() {
            return reason + "/" + rank + "/" + step;
        }

        String kind() {
            return reason + "/" + rank;
        }
    }

    static final ResourceDefinitionContext PROBES = new ResourceDefinitionContext.Builder().withGroup("landscape.dev")
            .withVersion("v1alpha1").withKind("LandscapeProbe").withPlural("landscapeprobes").withNamespaced(true).build();
    static final ResourceDefinitionContext REPORTS = new ResourceDefinitionContext.Builder().withGroup("landscape.dev")
            .withVersion("v1alpha1").withKind("ProbeReport").withPlural("probereports").withNamespaced(true).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final String namespace;
    private final String probe;
    private final Clock clock;
    private final Map<String, Seen> seen = new LinkedHashMap<>();
    private final java.util.Set<String> announced = new java.util.HashSet<>();
    private final Map<Integer, TreeMap<Long, JsonNode>> checkpoints = new TreeMap<>();
    private JsonNode lastProbe;

    public ProbeWatcher(KubernetesClient client, String namespace, String probe, Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.probe = probe;
        this.clock = clock;
    }

    /** One look: new findings go to {@code onNew}. */
    public synchronized void poll(Consumer<Seen> onNew) {
        GenericKubernetesResource p = client.genericKubernetesResources(PROBES).inNamespace(namespace).withName(probe).get();
        if (p == null) {
            return;
        }
        lastProbe = JSON.valueToTree(p);
        for (JsonNode f : lastProbe.path("status").path("findings")) {
            Seen s = new Seen(f.path("reason").asText(), f.path("severity").asText(),
                    f.hasNonNull("rank") ? f.get("rank").asInt() : null, text(f, "pod"),
                    f.hasNonNull("step") ? f.get("step").asLong() : null, text(f, "since"), text(f, "message"),
                    text(f, "remedy"), Instant.now(clock));
            record(s, onNew);
        }
        for (GenericKubernetesResource r : client.genericKubernetesResources(REPORTS).inNamespace(namespace).list().getItems()) {
            JsonNode report = JSON.valueToTree(r);
            if (!probe.equals(report.path("spec").path("probe").asText())) {
                continue;
            }
            int rank = report.path("spec").path("rank").asInt();
            TreeMap<Long, JsonNode> history = checkpoints.computeIfAbsent(rank, k -> new TreeMap<>());
            for (JsonNode c : report.path("status").path("checkpoints")) {
                history.put(c.path("step").asLong(), c);
            }
            // The sidecar's findings of each checkpoint: a spike lasts one checkpoint and may be gone from the
            // probe's status by the next look, but the rank's history keeps it. A finding carried by consecutive
            // checkpoints (a condition held by hysteresis) is one occurrence, seen at the first of them, as the
            // operator dates it.
            JsonNode before = null;
            for (JsonNode c : history.values()) {
                for (JsonNode f : c.path("findings")) {
                    String reason = f.path("reason").asText();
                    if (!carries(before, reason)) {
                        record(new Seen(reason, f.path("severity").asText(), rank, text(c, "pod"), c.path("step").asLong(),
                                null, text(f, "message"), null, Instant.now(clock)), onNew);
                    }
                }
                before = c;
            }
        }
    }

    private static boolean carries(JsonNode checkpoint, String reason) {
        if (checkpoint == null) {
            return false;
        }
        for (JsonNode f : checkpoint.path("findings")) {
            if (reason.equals(f.path("reason").asText())) {
                return true;
            }
        }
        return false;
    }

    /** Keeps every (reason, rank, step); tells {@code onNew} the first time a (reason, rank) shows up. */
    private void record(Seen s, Consumer<Seen> onNew) {
        if (seen.putIfAbsent(s.key(), s) == null && announced.add(s.kind())) {
            onNew.accept(s);
        }
    }

    /** The earliest step of each (reason, rank), as a person reads the story: what, where, since when. */
    public synchronized List<Seen> firstSeen() {
        Map<String, Seen> first = new LinkedHashMap<>();
        for (Seen s : seen.values()) {
            first.merge(s.kind(), s, (a, b) -> b.step() != null && (a.step() == null || b.step() < a.step()) ? b : a);
        }
        return first.values().stream().sorted(Comparator.comparing((Seen s) -> s.step() == null ? Long.MAX_VALUE : s.step()))
                .toList();
    }

    public synchronized List<Seen> seen() {
        return List.copyOf(seen.values());
    }

    /** Each rank's checkpoint summaries by step, as the operator stored them (loss, gradNorm, eosRatio, …). */
    public synchronized Map<Integer, TreeMap<Long, JsonNode>> checkpoints() {
        Map<Integer, TreeMap<Long, JsonNode>> copy = new TreeMap<>();
        checkpoints.forEach((k, v) -> copy.put(k, new TreeMap<>(v)));
        return copy;
    }

    public synchronized Optional<JsonNode> probe() {
        return Optional.ofNullable(lastProbe);
    }

    /** The ProbeReports now, by rank. */
    public Map<Integer, JsonNode> reports() {
        Map<Integer, JsonNode> out = new TreeMap<>();
        for (GenericKubernetesResource r : client.genericKubernetesResources(REPORTS).inNamespace(namespace).list().getItems()) {
            JsonNode report = JSON.valueToTree(r);
            if (probe.equals(report.path("spec").path("probe").asText())) {
                out.put(report.path("spec").path("rank").asInt(), report);
            }
        }
        return out;
    }

    /** The Events the operator wrote in the namespace, oldest first. */
    public List<Event> events() {
        List<Event> events = new ArrayList<>(client.v1().events().inNamespace(namespace).list().getItems());
        events.sort(Comparator.comparing((Event e) -> e.getFirstTimestamp() == null ? "" : e.getFirstTimestamp())
                .thenComparing(e -> e.getInvolvedObject().getKind()));
        return events;
    }

    /** Waits until {@code done} holds on a poll, or the timeout passes; polls every {@code every}. */
    public boolean awaitPolling(Duration timeout, Duration every, Consumer<Seen> onNew,
                                java.util.function.Predicate<ProbeWatcher> done) throws InterruptedException {
        Instant deadline = Instant.now(clock).plus(timeout);
        while (Instant.now(clock).isBefore(deadline)) {
            poll(onNew);
            if (done.test(this)) {
                return true;
            }
            Thread.sleep(every.toMillis());
        }
        return false;
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }
}
