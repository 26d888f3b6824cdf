package dev.landscape.probe.groundtruth;

import dev.landscape.probe.groundtruth.Tier1Case.Fault;
import dev.landscape.probe.groundtruth.Tier1Case.Noise;
import dev.landscape.probe.groundtruth.Tier1Scorer.Score;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Turns scores into the tables of bench/results/tier1-signals.md (one row per case) and the README's Performance
 * rows (one per target), and checks the targets. Pure.
 */
final class Tier1SignalsTable {

    private Tier1SignalsTable() {
    }

    /** Per case, in definition order: seeds, found, lag, false alarms and the clean checkpoints they came on. */
    static String full(List<Score> scores) {
        StringBuilder sb = new StringBuilder();
        sb.append("| optimizer | schedule | noise | fault | seeds | found | lag, steps: median (range) | false alarms "
                + "/ clean checkpoints | false alarms by reason |\n|---|---|---|---|---|---|---|---|---|\n");
        for (List<Score> s : byCase(scores).values()) {
            Tier1Case c = s.get(0).c();
            int alarms = s.stream().mapToInt(x -> x.falseAlarms().size()).sum();
            int clean = s.stream().mapToInt(Score::cleanCheckpoints).sum();
            String reasons = s.stream().flatMap(x -> x.falseAlarms().stream())
                    .collect(Collectors.groupingBy(a -> a.reason() + " (" + a.why() + ")", TreeMap::new, Collectors.counting()))
                    .entrySet().stream().map(e -> e.getValue() + "× " + e.getKey()).collect(Collectors.joining("; "));
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %d | %s | %s | %d / %d | %s |%n",
                    c.optimizer().label(), c.schedule().label(), c.noise().label(), c.fault().label(), s.size(),
                    c.isControl() ? "—" : found(s) + "/" + s.size(), c.isControl() ? "—" : lag(s), alarms, clean,
                    reasons.isEmpty() ? "—" : reasons));
        }
        return sb.toString();
    }

    /** The README's rows: one per target, with the case counts behind it. */
    static String summary(List<Score> scores) {
        StringBuilder sb = new StringBuilder();
        for (Target t : targets()) {
            sb.append(t.row(scores)).append('\n');
        }
        return sb.toString();
    }

    /** Each target the issue set, as text, for every case it covers that misses it. */
    static List<String> missed(List<Score> scores) {
        List<String> out = new ArrayList<>();
        for (Target t : targets()) {
            out.addAll(t.missed(scores));
        }
        return out;
    }

    /**
     * A target over a family of cases: every case of the family must be found in at least {@code need} of every 10
     * seeds ({@code need = 0}: no recall target, reported only), and controls must raise nothing.
     */
    private record Target(String what, Predicate<Tier1Case> family, int needPerTen, String goal) {

        List<String> missed(List<Score> scores) {
            List<String> out = new ArrayList<>();
            for (List<Score> s : byCase(scores).values()) {
                Tier1Case c = s.get(0).c();
                if (!family.test(c)) {
                    continue;
                }
                if (c.isControl()) {
                    int alarms = s.stream().mapToInt(x -> x.falseAlarms().size()).sum();
                    if (alarms > 0) {
                        out.add(c.name() + ": " + count(alarms, "finding") + " on the clean control");
                    }
                } else if (needPerTen > 0 && found(s) * 10 < needPerTen * s.size()) {
                    out.add(c.name() + ": found " + found(s) + "/" + s.size() + " (" + goal + ")");
                }
            }
            return out;
        }

        String row(List<Score> scores) {
            List<List<Score>> cases = byCase(scores).values().stream().filter(s -> family.test(s.get(0).c())).toList();
            List<Score> all = cases.stream().flatMap(List::stream).toList();
            String figure;
            if (cases.stream().allMatch(s -> s.get(0).c().isControl())) {
                int alarms = all.stream().mapToInt(x -> x.falseAlarms().size()).sum();
                int clean = all.stream().mapToInt(Score::cleanCheckpoints).sum();
                figure = String.format(Locale.ROOT, "**%d** %s on %d clean checkpoints (%s per 1,000), %d runs",
                        alarms, plural(alarms, "false alarm"), clean, per1000(alarms, clean), all.size());
            } else {
                int worst = cases.stream().mapToInt(Tier1SignalsTable::found).min().orElse(0);
                int seeds = cases.isEmpty() ? 0 : cases.get(0).size();
                int alarms = all.stream().mapToInt(x -> x.falseAlarms().size()).sum();
                int clean = all.stream().mapToInt(Score::cleanCheckpoints).sum();
                figure = String.format(Locale.ROOT, "found **%d/%d** runs (worst case %d/%d); lag %s; %s "
                                + "(%s per 1,000 clean checkpoints)", all.stream().filter(Score::found).count(), all.size(),
                        worst, seeds, lag(all), count(alarms, "false alarm"), per1000(alarms, clean));
            }
            boolean control = cases.stream().allMatch(s -> s.get(0).c().isControl());
            String verdict = needPerTen == 0 && !control ? "no target"
                    : "target " + goal + ": **" + (missed(scores).isEmpty() ? "met" : "not met") + "**";
            return String.format(Locale.ROOT, "| tier 1: %s (%d cases × %d seeds) | %s — %s | `bench/tier1-signals.sh` |",
                    what, cases.size(), cases.isEmpty() ? 0 : cases.get(0).size(), figure, verdict);
        }
    }

    private static List<Target> targets() {
        return List.of(
                new Target("Adam/AdamW edge of stability", c -> c.fault().kind() == Fault.Kind.EDGE && c.optimizer().adaptive(),
                        9, "within 4 steps of the exact crossing in ≥ 9 of 10 seeds"),
                new Target("SGD and heavy-ball edge of stability",
                        c -> c.fault().kind() == Fault.Kind.EDGE && !c.optimizer().adaptive(),
                        9, "within 3 steps of the exact crossing in ≥ 9 of 10 seeds"),
                new Target("loss ×2 on a smooth loss", c -> c.fault().kind() == Fault.Kind.LOSS_SPIKE
                        && c.fault().factor() == 2 && c.noise() == Noise.QUIET, 10, "10 of 10"),
                new Target("loss ×1.3–×10, smooth and noisy", c -> c.fault().kind() == Fault.Kind.LOSS_SPIKE, 0, ""),
                new Target("gradient ×2–×10", c -> c.fault().kind() == Fault.Kind.GRADIENT_SPIKE, 0, ""),
                new Target("NaN", c -> c.fault().kind() == Fault.Kind.NAN, 0, ""),
                new Target("clean controls", Tier1Case::isControl, 0, "zero findings on every control"));
    }

    private static Map<String, List<Score>> byCase(List<Score> scores) {
        Map<String, List<Score>> out = new LinkedHashMap<>();
        for (Score s : scores) {
            out.computeIfAbsent(s.c().name(), k -> new ArrayList<>()).add(s);
        }
        return out;
    }

    private static int found(List<Score> s) {
        return (int) s.stream().filter(Score::found).count();
    }

    private static String lag(List<Score> s) {
        int[] lags = s.stream().filter(x -> x.lag() != null).mapToInt(Score::lag).sorted().toArray();
        if (lags.length == 0) {
            return "never raised";
        }
        int median = lags[(lags.length - 1) / 2];
        return String.format(Locale.ROOT, "%+d (%+d … %+d)%s", median, lags[0], lags[lags.length - 1],
                lags.length < s.size() ? ", " + (s.size() - lags.length) + " never" : "");
    }

    /** "1 false alarm", "2 false alarms". */
    private static String count(int n, String noun) {
        return n + " " + plural(n, noun);
    }

    /** {@code noun} as it goes after the number {@code n}. */
    private static String plural(int n, String noun) {
        return n == 1 ? noun : noun + "s";
    }

    private static String per1000(int alarms, int clean) {
        return clean == 0 ? "—" : String.format(Locale.ROOT, "%.1f", 1000.0 * alarms / clean);
    }
}
