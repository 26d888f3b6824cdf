#!/usr/bin/env python3
"""numpy baseline: the same tier-1 quantities as Tier1Pass over the pair (prev, cur), tensor by tensor.

Per model tensor: ||theta||^2, non-finite counts, ||dtheta||^2, ||theta_prev||^2, bias-corrected ||m_hat||^2,
sum v_hat, recovered Adam gradient g = (m_t - b1^k m_{t-1}) / (1 - b1^k), ||g||^2, <g, dtheta>,
sum (sqrt(v_hat) + eps) dtheta^2, a width-256 CountSketch fingerprint of theta (key = element index) and the
width-2^16 global sketches of dtheta and g (key = tensor salt + index), with the same SplitMix64 hashing.
"""
import json, struct, sys, time
import numpy as np

M64 = (1 << 64) - 1
SEED = 0x6C616E6473636170


def header(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        h = json.loads(f.read(n))
    return 8 + n, h


def tensor(path, start, h, name):
    e = h[name]
    b, _ = e["data_offsets"]
    count = int(np.prod(e["shape"]))
    return np.fromfile(path, dtype="<f4", count=count, offset=start + b).astype(np.float64)


def mix(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def mix_int(z):
    z &= M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def java_hash(s):
    h = 0
    for ch in s:
        h = (31 * h + ord(ch)) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


def salt(name):
    return mix_int(java_hash(name) * 0x9E3779B97F4A7C15 + len(name))


def sketch(h, x, width):
    neg = (h >> np.uint64(63)).astype(bool)
    return np.bincount((h & np.uint64(width - 1)).astype(np.intp), weights=np.where(neg, -x, x), minlength=width)


def main(prev_path, cur_path):
    t0 = time.perf_counter()
    ps, ph = header(prev_path)
    cs, ch = header(cur_path)
    b1, b2, eps = float(ch["__metadata__"]["optimizer.beta1"]), float(ch["__metadata__"]["optimizer.beta2"]), \
        float(ch["__metadata__"]["optimizer.eps"])
    n = int(ch["__metadata__"]["optimizer.step"])
    k = n - int(ph["__metadata__"]["optimizer.step"])
    bc1, bc2 = 1 - b1 ** n, 1 - b2 ** n
    ga, gc = 1 / (1 - b1 ** k), -(b1 ** k) / (1 - b1 ** k)
    S = {k_: 0.0 for k_ in ("param", "prev", "upd", "m", "v", "g", "gdotu", "pre", "nonfinite")}
    su, sg = np.zeros(1 << 16), np.zeros(1 << 16)
    fps = {}
    sketch_seconds = 0.0
    for name in [x for x in ch if not x.startswith("optimizer.") and x != "__metadata__"]:
        th = tensor(cur_path, cs, ch, name)
        tp = tensor(prev_path, ps, ph, name)
        m = tensor(cur_path, cs, ch, "optimizer.exp_avg." + name)
        mp = tensor(prev_path, ps, ph, "optimizer.exp_avg." + name)
        v = tensor(cur_path, cs, ch, "optimizer.exp_avg_sq." + name)
        fin = np.isfinite(th)
        S["nonfinite"] += th.size - fin.sum() + (~np.isfinite(m)).sum() + (~np.isfinite(v)).sum()
        S["param"] += np.dot(th[fin], th[fin])
        d = th - tp
        S["upd"] += d @ d
        S["prev"] += tp @ tp
        mh = m / bc1
        S["m"] += mh @ mh
        vh = v / bc2
        S["v"] += vh.sum()
        g = ga * m + gc * mp
        S["g"] += g @ g
        S["gdotu"] += g @ d
        S["pre"] += ((np.sqrt(vh) + eps) * d) @ d
        ts = time.perf_counter()
        idx = np.arange(th.size, dtype=np.uint64)
        fps[name] = sketch(mix(idx ^ np.uint64(SEED)), np.where(fin, th, 0.0), 256)
        hg = mix((idx + np.uint64(salt(name))) ^ np.uint64(SEED))
        su += sketch(hg, d, 1 << 16)
        sg += sketch(hg, g, 1 << 16)
        sketch_seconds += time.perf_counter() - ts
    elapsed = time.perf_counter() - t0
    out = {"seconds": elapsed, "sketchSeconds": sketch_seconds, "parameterNorm": S["param"] ** 0.5, "updateNorm": S["upd"] ** 0.5,
           "relativeUpdate": (S["upd"] / S["prev"]) ** 0.5, "firstMomentNorm": S["m"] ** 0.5, "fisherTrace": S["v"],
           "gradientNorm": S["g"] ** 0.5, "gradDotUpdate": S["gdotu"], "preconditionedUpdateSq": S["pre"],
           "nonFinite": int(S["nonfinite"]), "updateSketchNorm": float(np.sqrt(su @ su)),
           "fingerprint0": [float(x) for x in fps["model.layers.0.weight"][:3]]}
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
