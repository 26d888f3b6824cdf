package dev.landscape.operator.alert;

import dev.landscape.operator.crd.ActiveSilence;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.SilenceAnnotations;
import dev.landscape.operator.crd.SilenceSpec;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * The rule "is this finding silenced at this moment, and until when": a probe's {@code spec.silences} (planned
 * windows, each optionally limited to finding reasons and ranks) and its ad-hoc annotation
 * ({@link SilenceAnnotations#UNTIL}, everything until a time). Pure: the clock is passed in, so expiry is tested
 * from tables. Silences that touch or overlap chain: a finding covered until 12:00 by one window and from 12:00 to
 * 14:00 by another is silenced until 14:00. A window that does not parse silences nothing (the spec validator
 * reports it).
 */
public final class Silences {

    /** One silence window, from {@code spec.silences[i]} or the annotation. */
    record Window(String source, Instant start, Instant end, String why, Set<String> reasons, Set<Integer> ranks) {

        boolean covers(String reason, OptionalInt rank) {
            return (reasons.isEmpty() || reasons.contains(reason))
                    && (ranks.isEmpty() || (rank.isPresent() && ranks.contains(rank.getAsInt())));
        }

        boolean activeAt(Instant t) {
            return !t.isBefore(start) && t.isBefore(end);
        }
    }

    static final String ANNOTATION_SOURCE = "annotation " + SilenceAnnotations.UNTIL;

    private final List<Window> windows;

    Silences(List<Window> windows) {
        this.windows = List.copyOf(windows);
    }

    /** The silences a probe declares; none for a probe without any. */
    public static Silences of(LandscapeProbe probe) {
        List<Window> out = new ArrayList<>();
        List<SilenceSpec> specs = probe.getSpec() == null || probe.getSpec().getSilences() == null
                ? List.of() : probe.getSpec().getSilences();
        for (int i = 0; i < specs.size(); i++) {
            SilenceSpec s = specs.get(i);
            Optional<Instant> start = parse(s.getStart());
            Optional<Instant> end = parse(s.getEnd());
            if (start.isPresent() && end.isPresent() && end.get().isAfter(start.get())) {
                out.add(new Window("spec.silences[" + i + "]", start.get(), end.get(), s.getReason(),
                        s.getFindingReasons() == null ? Set.of() : new TreeSet<>(s.getFindingReasons()),
                        s.getRanks() == null ? Set.of() : new TreeSet<>(s.getRanks())));
            }
        }
        Map<String, String> annotations = probe.getMetadata().getAnnotations() == null ? Map.of() : probe.getMetadata().getAnnotations();
        parse(annotations.get(SilenceAnnotations.UNTIL)).ifPresent(until -> out.add(new Window(ANNOTATION_SOURCE,
                Instant.EPOCH, until, annotations.getOrDefault(SilenceAnnotations.REASON, "(no reason given)"), Set.of(), Set.of())));
        return new Silences(out);
    }

    /** Until when a finding with this reason on this rank (empty: job-wide) is silenced now, if it is. */
    public Optional<Instant> until(String reason, OptionalInt rank, Clock clock) {
        Instant now = clock.instant();
        List<Window> matching = windows.stream().filter(w -> w.covers(reason, rank)).toList();
        Optional<Instant> until = matching.stream().filter(w -> w.activeAt(now)).map(Window::end).max(Comparator.naturalOrder());
        if (until.isEmpty()) {
            return until;
        }
        Instant end = until.get();
        boolean extended = true;
        while (extended) {
            extended = false;
            for (Window w : matching) {
                if (!w.start().isAfter(end) && w.end().isAfter(end)) {
                    end = w.end();
                    extended = true;
                }
            }
        }
        return Optional.of(end);
    }

    /** The silences in force now, as status shows them (ends chained as in {@link #until}). */
    public List<ActiveSilence> active(Clock clock) {
        Instant now = clock.instant();
        List<ActiveSilence> out = new ArrayList<>();
        for (Window w : windows) {
            if (w.activeAt(now)) {
                ActiveSilence a = new ActiveSilence();
                a.setSource(w.source());
                a.setUntil(w.end().toString());
                a.setReason(w.why());
                a.setFindingReasons(w.reasons().isEmpty() ? null : List.copyOf(w.reasons()));
                a.setRanks(w.ranks().isEmpty() ? null : List.copyOf(w.ranks()));
                out.add(a);
            }
        }
        return out;
    }

    /** The end of the silence in force that ends last, if any is in force now. */
    public Optional<Instant> silencedUntil(Clock clock) {
        Instant now = clock.instant();
        return windows.stream().filter(w -> w.activeAt(now)).map(Window::end).max(Comparator.naturalOrder());
    }

    /** The next moment a silence begins or ends after now, so that the probe is re-evaluated right then. */
    public Optional<Instant> nextChange(Clock clock) {
        Instant now = clock.instant();
        return windows.stream().flatMap(w -> java.util.stream.Stream.of(w.start(), w.end()))
                .filter(t -> t.isAfter(now)).min(Comparator.naturalOrder());
    }

    /** An RFC 3339 timestamp, or empty when absent or malformed. */
    static Optional<Instant> parse(String s) {
        if (s == null || s.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(s.trim()).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
