#!/usr/bin/env python3
"""Replays spike rules (LossSpike, GradientSpike) on the traces of the tier-1 ground truth
(bench/results/tier1-signals.md, "Spike rules replayed on the traces").

    bench/tier1-signals.sh 1-20 --only '.*clean.*' --traces /tmp/clean.csv
    bench/tier1-signals.sh 10 --only '.*(loss|gradient|NaN|edge).*' --traces /tmp/faults.csv
    bench/tier1_spike_replay.py /tmp/clean.csv /tmp/faults.csv

The traces hold, per checkpoint, the logged loss and the gradient norm the spike rule judges (spikeGradNorm). Each
rule below scores a checkpoint from the series up to it, as SpikeDetector does (a window of the previous 20 finite
values, judged from the 16th on, z >= 6), and is scored as Tier1Scorer scores the spikes: on a control every raise is a
false alarm; in a spike run the expected spike must be raised at the injected step (step 50), a raise of either spike
before the window is a false alarm, and after it so is every spike that is not the expected one (a LossSpike is
tolerated for 10 steps after a gradient spike); in an edge run spikes before the crossing's window are
false alarms (after it they are the edge's companions); in a NaN run, those before the NaN. Only the spike rules are
replayed, so other findings are not counted. The first rule is the production one (TrendBaseline); its counts must
match the bench's.

The embedded demo's learning-rate fault must also stay found on every rank (DemoScenarioE2ETest): pooling the errors
in (the third rule) lost rank 2's LossSpike there, which is why they bound the scale instead.
"""
import csv
import math
import statistics
import sys
from collections import OrderedDict, defaultdict

WINDOW = 20
MIN_HISTORY = 16
Z = 6.0
FLOOR = 0.06
POOL = 40
FAULT_STEP = 50


def qn(v):
    n = len(v)
    d = sorted(abs(v[i] - v[j]) for i in range(n) for j in range(i + 1, n))
    h = n // 2 + 1
    small = [0.399, 0.994, 0.512, 0.844, 0.611, 0.857, 0.669, 0.872]
    factor = small[n - 2] if n <= 9 else (n / (n + 1.4) if n % 2 == 1 else n / (n + 3.8))
    return 2.2219 * factor * d[h * (h - 1) // 2 - 1]


def theil_sen(y):
    n = len(y)
    slope = statistics.median((y[j] - y[i]) / (j - i) for i in range(n) for j in range(i + 1, n))
    intercept = statistics.median(y[i] - slope * i for i in range(n))
    return slope, intercept


class Rule:
    """Scores each value of a series in turn and keeps its prediction errors, as SpikeDetector does. pool: how many
    earlier errors count (0: none); guard: they bound the scale from below at this share of their Qn (0: they join
    the window's residuals instead); recent: predict by the higher of the window's line and its later half's; last:
    by the higher of the line and the median of the last values; min_history: values needed before judging."""

    def __init__(self, pool=POOL, recent=False, last=0, min_history=MIN_HISTORY, guard=0.0):
        self.pool = pool
        self.guard = guard
        self.recent = recent
        self.last = last
        self.min_history = min_history
        self.errors = []

    def score(self, x, past):
        log = x > 0 and all(v > 0 for v in past)
        y = [math.log(v) for v in past] if log else list(past)
        value = math.log(x) if log else x
        slope, intercept = theil_sen(y)
        n = len(y)
        predicted = intercept + slope * n
        residuals = [y[i] - intercept - slope * i for i in range(n)]
        if self.recent:
            half = y[n // 2:]
            s2, i2 = theil_sen(half)
            predicted = max(predicted, i2 + s2 * len(half))
        if self.last:
            predicted = max(predicted, statistics.median(y[-self.last:]))
        if self.guard:
            earlier = self.errors[-self.pool:]
            scale = max(qn(residuals), self.guard * qn(earlier) if len(earlier) >= MIN_HISTORY else 0,
                        FLOOR if log else FLOOR * abs(predicted))
        else:
            pooled = residuals + (self.errors[-self.pool:] if self.pool else [])
            scale = max(qn(pooled), FLOOR if log else FLOOR * abs(predicted))
        error = value - predicted
        self.errors.append(error)
        return error / scale if scale > 0 else (0 if error == 0 else math.copysign(math.inf, error))


RULES = OrderedDict([
    ("production: the higher of the window's line and its later half's; the scale at least half of Qn of the last "
     "40 prediction errors", lambda: Rule(guard=0.5, recent=True)),
    ("before: the window's line; Qn of its residuals", lambda: Rule(pool=0)),
    ("the last 40 prediction errors pooled with the window's residuals", lambda: Rule()),
    ("pooled, and the later half's line", lambda: Rule(recent=True)),
    ("pooled, and the higher of the line and the median of the last 3 values", lambda: Rule(last=3)),
    ("pooled, judged from the 21st checkpoint (a full window)", lambda: Rule(min_history=20)),
    ("at least half of the errors' Qn, without the later half's line", lambda: Rule(guard=0.5)),
    ("at least 0.7 of the errors' Qn, with the later half's line", lambda: Rule(guard=0.7, recent=True)),
])


def raises(values, make):
    rule = make()
    out = []
    for i, x in enumerate(values):
        if not math.isfinite(x):
            continue
        past = [v for v in values[max(0, i - WINDOW):i] if math.isfinite(v)]
        if len(past) < rule.min_history:
            continue
        if rule.score(x, past) >= Z:
            out.append(i)
    return out


def main(paths):
    runs = defaultdict(list)
    for path in paths:
        with open(path) as f:
            for row in csv.DictReader(f):
                runs[(row["case"], int(row["seed"]))].append(row)
    for name, make in RULES.items():
        found = defaultdict(lambda: [0, 0])
        alarms = defaultdict(list)
        for (case, seed), rows in sorted(runs.items()):
            rows.sort(key=lambda r: int(r["step"]))
            steps = [int(r["step"]) for r in rows]
            loss = raises([float(r["loss"]) for r in rows], make)
            grad = raises([float(r["spikeGradNorm"]) for r in rows], make)
            events = sorted([(steps[i], "LossSpike") for i in loss] + [(steps[i], "GradientSpike") for i in grad])
            if "clean" in case:
                alarms[case] += [(seed, s, r) for s, r in events]
                continue
            if "edge" in case:
                crossing = next(int(r["step"]) for r in rows if float(r["exact"]) >= 1)
                tolerance = 4 if case.startswith("adam") else 3
                alarms[case] += [(seed, s, r) for s, r in events if s < crossing - tolerance]
                continue
            if "NaN" in case:
                alarms[case] += [(seed, s, r) for s, r in events if s < FAULT_STEP]
                continue
            expected = "LossSpike" if " loss " in case else "GradientSpike"
            found[case][1] += 1
            found[case][0] += (FAULT_STEP, expected) in events and not any(s < FAULT_STEP for s, _ in events)
            for s, r in events:
                tolerated = (s >= FAULT_STEP and r == expected) or (
                    expected == "GradientSpike" and r == "LossSpike" and FAULT_STEP <= s <= FAULT_STEP + 10)
                if not tolerated:
                    alarms[case].append((seed, s, r))
        print(f"\n== {name}")
        for case, (f, n) in found.items():
            print(f"  {case:40s} found {f}/{n}")
        total = sum(len(a) for a in alarms.values())
        print(f"  false alarms: {total}")
        for case, a in alarms.items():
            for seed, s, r in a:
                print(f"    {case} seed {seed} step {s} {r}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
