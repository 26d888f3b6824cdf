"""Offline numpy check of the edge-of-stability model of bench/curvature.sh (bench/results/curvature.md, section 1).

The model is the benchmark's MLP 32-64-10 (tanh, one hidden layer) with BenchModels.problem's initial weights, on
BenchModels.clusters' batch (256 points, 10 Gaussian clusters), with nn.MSELoss() on one-hot targets, trained by
full-batch gradient descent at lr 1.6 (2/lr = 1.25). java.util.Random is reproduced bit for bit up to the last
digit of nextGaussian (Python's log and sqrt, not StrictMath's), so weights and data are the Java bench's.

    python3 bench/curvature_eos.py track [steps=4000] [every=100]   # sharpness vs 2/lr and loss over training
    python3 bench/curvature_eos.py ratio [steps=4000] [seeds=20]     # HVPs to 1e-3 on lambda_max, Lanczos vs power

`ratio` forms the checkpoint's dense Hessian (one finite-difference product per unit vector, symmetrised), takes
lambda_max from numpy.linalg.eigvalsh, and runs both methods on it from numpy Gaussian starts (not Java's: from a
Gaussian start only the spectrum matters), counting products until each estimate is first within 1e-3 of
lambda_max, as CurvatureBenchmark does: Lanczos with full reorthogonalisation (top Ritz value after every product),
power iteration as PyHessian's (Rayleigh quotient after every product, vectors normalised by norm + 1e-6).

Needs numpy and scipy only.
"""
import math
import sys

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh

LR = 1.6
STEPS = 4000
POWER_CAP = 300  # CurvatureBenchmark.POWER_CAP


class JavaRandom:
    """java.util.Random: the 48-bit LCG, nextDouble, the polar nextGaussian."""
    MASK = (1 << 48) - 1

    def __init__(self, seed):
        self.seed = (seed ^ 0x5DEECE66D) & self.MASK
        self.next_gaussian = None

    def next(self, bits):
        self.seed = (self.seed * 0x5DEECE66D + 0xB) & self.MASK
        return self.seed >> (48 - bits)

    def next_double(self):
        return ((self.next(26) << 27) + self.next(27)) * (1.0 / (1 << 53))

    def gaussian(self):
        if self.next_gaussian is not None:
            g, self.next_gaussian = self.next_gaussian, None
            return g
        while True:
            v1 = 2 * self.next_double() - 1
            v2 = 2 * self.next_double() - 1
            s = v1 * v1 + v2 * v2
            if 0 < s < 1:
                break
        m = math.sqrt(-2 * math.log(s) / s)
        self.next_gaussian = v2 * m
        return v1 * m


def initial_weights(inp=32, hidden=64, out=10):
    """BenchModels.problem(n, in, hidden, out, 1): Random(42), Xavier-scaled Gaussian weights, biases 0.1 N(0, 1)."""
    rng = JavaRandom(42)
    weights, width = [], inp
    for nxt in (hidden, out):
        s = math.sqrt(2.0 / (nxt + width))
        weights.append(np.array([s * rng.gaussian() for _ in range(nxt * width)]).reshape(nxt, width))
        weights.append(np.array([0.1 * rng.gaussian() for _ in range(nxt)]))
        width = nxt
    return np.concatenate([w.ravel() for w in weights]), [w.shape for w in weights]


def clusters(n=256, inp=32, out=10):
    """BenchModels.clusters' batch: Random(44), class means 0.5 N(0, I), unit noise, label r % out."""
    rng = JavaRandom(44)
    means = np.array([[0.5 * rng.gaussian() for _ in range(inp)] for _ in range(out)])
    x = np.zeros((n, inp))
    for r in range(n):
        for i in range(inp):
            x[r, i] = means[r % out, i] + rng.gaussian()
    return x, np.eye(out)[np.arange(n) % out]


class Model:
    """tanh MLP, loss = mean over all elements of (logits - one-hot)^2 (nn.MSELoss(), LossHead.MSE)."""

    def __init__(self):
        self.x, self.t = clusters()
        self.w0, self.shapes = initial_weights()

    def unpack(self, w):
        out, k = [], 0
        for s in self.shapes:
            m = int(np.prod(s))
            out.append(w[k:k + m].reshape(s))
            k += m
        return out

    def loss_grad(self, w):
        a, b, c, d = self.unpack(w)
        h = np.tanh(self.x @ a.T + b)
        r = h @ c.T + d - self.t
        dz = 2 * r / r.size
        dh = (dz @ c) * (1 - h * h)
        return np.mean(r * r), np.concatenate([(dh.T @ self.x).ravel(), dh.sum(0), (dz.T @ h).ravel(), dz.sum(0)])

    def hvp(self, w, v):
        """Central difference of two gradients, step eps^(1/3) max(1, rms(w)) along v / |v| (FiniteDifferenceHvp)."""
        nv = np.linalg.norm(v)
        e = 2.0 ** (-52 / 3) * max(1.0, math.sqrt(np.mean(w * w)))
        return (self.loss_grad(w + e * v / nv)[1] - self.loss_grad(w - e * v / nv)[1]) / (2 * e) * nv

    def top(self, w, k):
        n = len(w)
        op = LinearOperator((n, n), matvec=lambda v: self.hvp(w, v.ravel()), dtype=float)
        return np.sort(eigsh(op, k=k, which='LA', tol=1e-10, v0=np.random.default_rng(0).standard_normal(n))[0])[::-1]


def train(model, steps, lr, every=0, k=4):
    """Full-batch GD from the initial weights; returns the checkpoint, the loss at every step 0..steps, and
    (step, top-k eigenvalues) every `every` steps."""
    w = model.w0.copy()
    losses, tracked = [], []
    for s in range(steps + 1):
        loss, g = model.loss_grad(w)
        losses.append(loss)
        if every and s % every == 0:
            tracked.append((s, model.top(w, k)))
        if s < steps:
            w -= lr * g
    return w, np.array(losses), tracked


def lanczos_reach(h, lmax, v, limit=400):
    """Products until Lanczos's top Ritz value is within 1e-3 of lmax (full reorthogonalisation)."""
    q = [v / np.linalg.norm(v)]
    alpha, beta = [], []
    for j in range(1, limit + 1):
        r = h @ q[-1]
        alpha.append(q[-1] @ r)
        qs = np.array(q)
        r -= qs.T @ (qs @ r)
        r -= qs.T @ (qs @ r)
        theta = np.linalg.eigvalsh(np.diag(alpha) + np.diag(beta, 1) + np.diag(beta, -1))[-1]
        if abs(theta - lmax) <= 1e-3 * abs(lmax):
            return j
        beta.append(np.linalg.norm(r))
        q.append(r / beta[-1])
    return -1


def power_reach(h, lmax, v, limit=None):
    """Products until power iteration's Rayleigh quotient is within 1e-3 of lmax (PyHessian's normalisation)."""
    for j in range(1, (limit or POWER_CAP) + 1):
        v = v / (np.linalg.norm(v) + 1e-6)
        hv = h @ v
        if abs(hv @ v - lmax) <= 1e-3 * abs(lmax):
            return j
        v = hv
    return -1


def ratio(steps, seeds):
    m = Model()
    w, losses, _ = train(m, steps, LR)
    n = len(w)
    h = np.empty((n, n))
    for j in range(n):
        h[:, j] = m.hvp(w, np.eye(1, n, j)[0])
    h = (h + h.T) / 2
    ev = np.linalg.eigvalsh(h)[::-1]
    print(f'checkpoint after {steps} steps: loss {losses[-1]:.4e}, lambda_1*lr/2 = {ev[0] * LR / 2:.4f}, '
          f'lambda_1..6 = ' + ', '.join(f'{e:.5g}' for e in ev[:6]) + f', lambda_2/lambda_1 = {ev[1] / ev[0]:.4f}, '
          f'lambda_min = {ev[-1]:.4g}')
    last = losses[-1001:]
    print(f'last 1000 steps: loss rose on {int(np.sum(np.diff(last) > 0))}, range {last.min():.3e} .. {last.max():.3e}')
    rng = np.random.default_rng(0)
    counts = []
    for seed in range(seeds):
        v = rng.standard_normal(n)
        counts.append((lanczos_reach(h, ev[0], v), power_reach(h, ev[0], v)))
    print('| seed | Lanczos: HVPs to 1e-3 | power: HVPs to 1e-3 | ratio |')
    print('|---|---|---|---|')
    for seed, (lc, pc) in enumerate(counts):
        print(f'| {seed} | {lc} | ' + (f'{pc} | {lc / pc:.3f}' if pc > 0 else f'> {POWER_CAP} | < {lc / POWER_CAP:.3f}')
              + ' |')
    # as CurvatureBenchmark.Tally: a power count past the cap counts as the cap, so the ratios become upper bounds
    lc, pc = np.array(counts).T
    censored = int(np.sum(pc < 0))
    pc = np.where(pc < 0, POWER_CAP, pc)
    bound = '<= ' if censored else ''
    print(f'medians (upper middle): Lanczos {np.sort(lc)[len(lc) // 2]}, power {np.sort(pc)[len(pc) // 2]}, per-seed '
          f'ratio {bound}{np.sort(lc / pc)[len(lc) // 2]:.3f}, ratio of totals {bound}{lc.sum() / pc.sum():.3f}; power '
          f'iteration past {POWER_CAP} products on {censored} of {seeds} seeds')


def track(steps, every):
    m = Model()
    _, losses, tracked = train(m, steps, LR, every)
    print(f'lr {LR}, 2/lr = {2 / LR:.4g}; eigenvalues as lambda_i * lr / 2 (1 = the edge of stability)')
    print('| step | loss | lambda_1 | lambda_2 | lambda_3 | lambda_4 | lambda_2/lambda_1 | loss rises in the last '
          f'{every} steps |')
    print('|---|---|---|---|---|---|---|---|')
    for s, ev in tracked:
        rises = int(np.sum(np.diff(losses[max(0, s - every):s + 1]) > 0))
        print(f'| {s} | {losses[s]:.3e} | ' + ' | '.join(f'{e * LR / 2:.3f}' for e in ev)
              + f' | {ev[1] / ev[0]:.3f} | {rises} |')


if __name__ == '__main__':
    cmd = sys.argv[1] if len(sys.argv) > 1 else 'track'
    if cmd == 'track':
        track(int(sys.argv[2]) if len(sys.argv) > 2 else STEPS, int(sys.argv[3]) if len(sys.argv) > 3 else 100)
    elif cmd == 'ratio':
        ratio(int(sys.argv[2]) if len(sys.argv) > 2 else STEPS, int(sys.argv[3]) if len(sys.argv) > 3 else 20)
    else:
        sys.exit(__doc__)
