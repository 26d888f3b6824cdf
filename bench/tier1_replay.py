#!/usr/bin/env python3
"""Replays edge-of-stability rules on the traces of the tier-1 ground truth (bench/results/tier1-signals.md).

    bench/tier1-signals.sh 10 --only '.*(edge|clean)' --traces /tmp/tier1-traces.csv
    bench/tier1_replay.py /tmp/tier1-traces.csv

The traces hold, per checkpoint, the exact stability ratio and tier 1's estimates. Each rule below is a function of
the estimated ratios up to the checkpoint judged; a raise follows FindingMonitor's hysteresis (raised on a hit,
cleared after 3 checkpoints without one) and is scored as Tier1Scorer scores EdgeOfStability: found when its first
raise lies within the exact crossing +- 3 steps (SGD, heavy ball) or +- 4 (Adam, AdamW), premature when before, and
every raise on a control a false alarm. Findings of the other rules are not replayed. The first rule is the
production one (EdgeOfStabilityDetector with the default thresholds); its figures must match the bench's.

Before the rules it prints what they have to work with: per case, tier 1's ratio (mean +- standard deviation, range)
where the exact ratio is within 0.96-1.04 (edge cases) or over the whole run after warm-up (controls), and at a
learning-rate jump (the checkpoint whose learning rate is at least 1.3 times the previous one's) and the three after;
then the same for the trajectory fit (SGD and heavy ball), with its standard error.
"""
import csv
import math
import statistics
import sys
from collections import OrderedDict

CLEAR_AFTER = 3
JUMP_BASELINE = 10


def finite(xs):
    return [x for x in xs if math.isfinite(x)]


def held(r, i, n=2, at=1.0):
    return i >= n - 1 and all(x >= at for x in r[i - n + 1:i + 1])  # NaN never holds


def jumped(r, i, factor=3.0, at=1.0):
    before = finite(r[max(0, i - JUMP_BASELINE):i])
    return r[i] >= at and len(before) >= 3 and r[i] >= factor * statistics.median(before)


def before(r, i, adam=False):
    """The rule without the approaching level: 2 in a row >= 1, or a jump to >= 3x the median."""
    return held(r, i) or jumped(r, i)


class Trace(list):
    """A run's ratios (tier 1's along the update) with the trajectory fit's ratio `t` and standard error `e`."""
    def __init__(self, ratios, fit, error):
        super().__init__(ratios)
        self.t, self.e = fit, error


def fitted(r, i, lower=0.92, z=1.0, relative=0.25):
    """The trajectory fit (SGD and heavy ball): its ratio >= 1, its ratio less z standard errors >= lower, and that
    error at most `relative` of the ratio."""
    return r.t[i] >= 1 and r.t[i] - z * r.e[i] >= lower and r.e[i] <= relative * r.t[i]  # NaN never holds


def production(r, i, adam):
    """EdgeOfStabilityDetector at the default thresholds: the rule before, the trajectory fit, and for Adam >= 0.5
    for 3 in a row (approaching the edge, severity info)."""
    return before(r, i) or fitted(r, i) or (adam and held(r, i, 3, 0.5))


def previous(r, i, adam):
    """The production rule before the trajectory fit."""
    return before(r, i) or (adam and held(r, i, 3, 0.5))


def fit_only(lower, z):
    return lambda r, i, adam: fitted(r, i, lower, z)


def k_of_n(k, n):
    return lambda r, i, adam: (i >= n - 1 and sum(x >= 1 for x in r[i - n + 1:i + 1]) >= k) or before(r, i)


def median_of(n, at):
    return lambda r, i, adam: (i >= n - 1 and len(finite(r[i - n + 1:i + 1])) == n
                               and statistics.median(r[i - n + 1:i + 1]) >= at) or before(r, i)


def trend(n, floor, ahead, t_min):
    """Approaching the edge, any optimizer: a least-squares line through the last n ratios is at least floor now,
    rising by at least t_min standard errors of its slope, and reaches 1 within `ahead` checkpoints."""
    def rule(r, i, adam):
        if before(r, i):
            return True
        ys = r[i - n + 1:i + 1] if i >= n - 1 else []
        if len(finite(ys)) != n:
            return False
        mx, my = (n - 1) / 2, sum(ys) / n
        sxx = sum((x - mx) ** 2 for x in range(n))
        b = sum((x - mx) * (y - my) for x, y in enumerate(ys)) / sxx
        a = my - b * mx
        se = math.sqrt(sum((y - a - b * x) ** 2 for x, y in enumerate(ys)) / (n - 2) / sxx)
        now = a + b * (n - 1)
        return now >= floor and b > 0 and b >= t_min * se and now + b * ahead >= 1
    return rule


def adam_level(at, n):
    """Approaching the edge, Adam only: at least `at` for n checkpoints in a row."""
    return lambda r, i, adam: before(r, i) or (adam and held(r, i, n, at))


RULES = [
    ("production (EdgeOfStabilityDetector, default thresholds)", production, None),
    ("without the trajectory fit (the rule before it)", previous, None),
    ("the trajectory fit alone (lower bound 0.92 at 1 s.e.)", fit_only(0.92, 1), None),
    ("the trajectory fit alone, lower bound 0.9", fit_only(0.9, 1), None),
    ("the trajectory fit alone, lower bound 0.95", fit_only(0.95, 1), None),
    ("the trajectory fit alone, lower bound 0.9 at 1.5 s.e.", fit_only(0.9, 1.5), None),
    ("without the Adam approaching level", lambda r, i, adam: before(r, i) or fitted(r, i), None),
    ("jump factor 2 instead of 3, without the approaching level",
     lambda r, i, adam: held(r, i) or jumped(r, i, 2.0), None),
    ("2 of the last 3 >= 1", k_of_n(2, 3), None),
    ("2 of the last 4 >= 1", k_of_n(2, 4), None),
    ("median of the last 3 >= 0.95", median_of(3, 0.95), None),
    ("median of the last 5 >= 0.95", median_of(5, 0.95), None),
    ("trend of 5 from >= 0.6, slope >= 8 s.e., reaching 1 within 3", trend(5, 0.6, 3, 8), None),
    ("trend of 24 at >= 0.95 now", trend(24, 0.95, 0, 0), None),
    ("one power step, bound^2/secant where larger", before, "power"),
    ("Adam only, >= 0.45 for 2 in a row", adam_level(0.45, 2), None),
    ("Adam only, >= 0.45 for 3 in a row", adam_level(0.45, 3), None),
    ("Adam only, >= 0.5 for 2 in a row", adam_level(0.5, 2), None),
    ("Adam only, >= 0.6 for 3 in a row", adam_level(0.6, 3), None),
]


def power_step(row):
    adam = row["case"].startswith("adam")
    s = float(row["preconditioned" if adam else "secant"])
    b = float(row["preconditionedBound" if adam else "bound"])
    r = float(row["ratio"])
    return max(r, b * b / s / float(row["threshold"])) if s > 0 else r


def raises(ratios, rule):
    out, raised, clean = [], False, 0
    for i in range(len(ratios)):
        if rule(ratios, i):
            clean = 0
            if not raised:
                out.append(i)
                raised = True
        elif raised:
            clean += 1
            if clean >= CLEAR_AFTER:
                raised, clean = False, 0
    return out


def spread(xs):
    xs = finite(xs)
    if len(xs) < 2:
        return "-"
    return f"{statistics.mean(xs):.2f} +- {statistics.stdev(xs):.2f} ({min(xs):.2f}-{max(xs):.2f})"


def readings(runs):
    near, jump, after = OrderedDict(), OrderedDict(), OrderedDict()
    fit_near, fit_err = OrderedDict(), OrderedDict()
    for (case, seed), rows in runs.items():
        if not case.endswith((" edge", " clean")):
            continue
        ratios = [float(x["ratio"]) for x in rows]
        exact = [float(x["exact"]) for x in rows]
        lr = [float(x["learningRate"]) for x in rows]
        fit = [float(x["trajectory"]) for x in rows]
        fit_error = [float(x["trajectoryError"]) for x in rows]
        if case.endswith(" edge"):
            near.setdefault(case, []).extend(r for r, e in zip(ratios, exact) if 0.96 <= e <= 1.04)
            fit_near.setdefault(case, []).extend(r for r, e in zip(fit, exact) if 0.96 <= e <= 1.04)
            fit_err.setdefault(case, []).extend(r for r, e in zip(fit_error, exact) if 0.96 <= e <= 1.04)
        else:
            near.setdefault(case, []).extend(ratios[20:])
            fit_near.setdefault(case, []).extend(fit[20:])
            fit_err.setdefault(case, []).extend(fit_error[20:])
        for i in range(1, len(rows)):
            if lr[i - 1] > 0 and lr[i] >= 1.3 * lr[i - 1] and int(rows[i]["step"]) > 21:
                jump.setdefault(case, []).append(ratios[i])
                after.setdefault(case, []).extend(ratios[i + 1:i + 4])
    print("tier 1's ratio where the exact ratio is 0.96-1.04 (edge) or after step 20 (control); at a jump; after it")
    for case, xs in near.items():
        print(f"  {case}: {spread(xs)}" + (f"; at the jump {spread(jump[case])}; the 3 after {spread(after[case])}"
                                          if case in jump else ""))
    print("the trajectory fit's ratio there (SGD, heavy ball), and its standard error")
    for case, xs in fit_near.items():
        if finite(xs):
            print(f"  {case}: {spread(xs)}; standard error {spread(fit_err[case])}")


def main(path):
    runs = OrderedDict()
    for row in csv.DictReader(open(path)):
        runs.setdefault((row["case"], row["seed"]), []).append(row)
    readings(runs)
    for name, rule, estimate in RULES:
        per_case = OrderedDict()
        alarms = clean_checkpoints = 0
        for (case, seed), rows in runs.items():
            steps = [int(x["step"]) for x in rows]
            ratios = Trace([power_step(x) if estimate == "power" else float(x["ratio"]) for x in rows],
                           [float(x["trajectory"]) for x in rows], [float(x["trajectoryError"]) for x in rows])
            adam = case.startswith("adam")
            first = [steps[i] for i in raises(ratios, lambda r, i: rule(r, i, adam))]
            if case.endswith(" clean"):
                alarms += len(first)
                clean_checkpoints += len(rows)
                continue
            if not case.endswith(" edge"):
                continue
            crossing = next(int(x["step"]) for x in rows if float(x["exact"]) >= 1)
            tolerance = 4 if case.startswith("adam") else 3
            lag = first[0] - crossing if first else None
            per_case.setdefault(case, []).append(lag is not None and abs(lag) <= tolerance)
            if lag is not None and lag < -tolerance:
                alarms += 1
        print(f"{name}: " + "; ".join(f"{c.removesuffix(' edge')} {sum(v)}/{len(v)}" for c, v in per_case.items())
              + f"; false alarms (premature or on a control) {alarms} ({clean_checkpoints} control checkpoints)")


if __name__ == "__main__":
    main(sys.argv[1])
