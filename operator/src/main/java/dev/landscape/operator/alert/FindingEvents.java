package dev.landscape.operator.alert;

import dev.landscape.operator.correlate.CorrelatedFinding;
import dev.landscape.contract.Severity;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.store.EventWriter;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * Kubernetes Events for new findings, on the probe and on the affected pod, so {@code kubectl describe} of either
 * shows them. Deduplicated by name: an Event's name is derived from the finding's identity (reason, rank, since),
 * so a finding announced once is never announced again, even by another replica after a fail-over. A finding a
 * silence covers is announced as a Normal Event saying "Silenced until …" (under a name of its own, so that the
 * Warning still follows if the finding outlives the silence). A failure to write an Event is logged and never
 * fails the reconcile. Written through the operator's one {@link EventWriter}.
 */
@ApplicationScoped
public class FindingEvents {

    private final EventWriter writer;

    @Inject
    public FindingEvents(EventWriter writer) {
        this.writer = writer;
    }

    /**
     * @param silencedUntil the end of the silence covering the finding, empty when none does
     */
    public void announce(LandscapeProbe probe, CorrelatedFinding finding, Pod pod, Optional<Instant> silencedUntil) {
        String ns = probe.getMetadata().getNamespace();
        String key = finding.key() + (silencedUntil.isPresent() ? "/silenced" : "");
        ObjectReference probeRef = new ObjectReferenceBuilder()
                .withApiVersion(probe.getApiVersion()).withKind(probe.getKind()).withNamespace(ns)
                .withName(probe.getMetadata().getName()).withUid(probe.getMetadata().getUid()).build();
        create(name(probe.getMetadata().getName(), key), probeRef, finding, silencedUntil);
        if (pod != null) {
            ObjectReference podRef = new ObjectReferenceBuilder().withApiVersion("v1").withKind("Pod").withNamespace(ns)
                    .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).build();
            create(name(pod.getMetadata().getName(), key), podRef, finding, silencedUntil);
        }
    }

    private void create(String name, ObjectReference about, CorrelatedFinding f, Optional<Instant> silencedUntil) {
        String text = f.message() + " Remedy: " + f.remedy();
        EventWriter.Type type = f.severity() == Severity.INFO || silencedUntil.isPresent() ? EventWriter.Type.Normal : EventWriter.Type.Warning;
        writer.write(writer.event(name, about, type, f.reason().name(),
                silencedUntil.map(u -> "Silenced until " + u + ": " + text).orElse(text)));
    }

    static String name(String object, String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            String suffix = HexFormat.of().formatHex(digest, 0, 6);
            String base = object.length() > 200 ? object.substring(0, 200) : object;
            return (base + ".landscape." + suffix).toLowerCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
