#!/usr/bin/env python3
"""Writes two successive Adam checkpoints (step_1000, step_1001) as safetensors for the tier-1 benchmark.

Each checkpoint holds LAYERS weight tensors (F32) plus their Adam exp_avg / exp_avg_sq, in the layout of
SafetensorsMetadata (optimizer.<slot>.<param>, step / optimizer.* in __metadata__). The pair totals ~1 GiB.
"""
import json, struct, sys, os
import numpy as np

out = sys.argv[1]
layers = int(sys.argv[2]) if len(sys.argv) > 2 else 10
rows, cols = 2048, 2184  # 4,472,832 elements per tensor; 10 layers x 3 slots x 17 MiB x 2 checkpoints = 1 GiB
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(1)


def write(path, tensors, metadata):
    header = {"__metadata__": metadata}
    off = 0
    for name, arr in tensors:
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [off, off + arr.nbytes]}
        off += arr.nbytes
    hj = json.dumps(header).encode()
    hj += b" " * ((8 - len(hj) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for _, arr in tensors:
            f.write(np.ascontiguousarray(arr, dtype="<f4").tobytes())
    os.replace(tmp, path)


theta = [rng.standard_normal((rows, cols), dtype=np.float32) * 0.02 for _ in range(layers)]
m = [rng.standard_normal((rows, cols), dtype=np.float32) * 1e-3 for _ in range(layers)]
v = [np.abs(rng.standard_normal((rows, cols), dtype=np.float32)) * 1e-6 for _ in range(layers)]
for step in (1000, 1001):
    if step == 1001:
        g = [rng.standard_normal((rows, cols), dtype=np.float32) * 1e-3 for _ in range(layers)]
        m = [0.9 * a + 0.1 * b for a, b in zip(m, g)]
        v = [0.999 * a + 0.001 * b * b for a, b in zip(v, g)]
        theta = [t - 1e-3 * a / (np.sqrt(b) + 1e-8) for t, a, b in zip(theta, m, v)]
    tensors = []
    for i in range(layers):
        p = f"model.layers.{i}.weight"
        tensors += [(p, theta[i]), (f"optimizer.exp_avg.{p}", m[i]), (f"optimizer.exp_avg_sq.{p}", v[i])]
    meta = {"step": str(step), "optimizer": "adam", "optimizer.lr": "0.001", "optimizer.beta1": "0.9",
            "optimizer.beta2": "0.999", "optimizer.eps": "1e-8", "optimizer.step": str(step),
            "loss": "2.5", "learning_rate": "0.001"}
    write(os.path.join(out, f"step_{step}.safetensors"), tensors, meta)
print("wrote", out)
