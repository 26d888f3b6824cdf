"""numpy baseline for bench/inspect-throughput.sh: the same numbers inspect computes, over a safetensors file.

np.memmap over the data section (every tensor in the benchmark files has the same dtype, so the whole section is
one array: numpy's best case), processed in chunks of 2**16 elements (whole-array numpy was ~4x slower here,
see BENCH-inspect.md): np.isfinite count, np.linalg.norm of the finite elements (float32 dot products inside a
chunk, chunks summed in Python floats), np.abs(...).max(). numpy has no bfloat16 dtype: BF16 is viewed as uint16,
widened to uint32, shifted left 16 and viewed as float32 (exact).

Prints: wall_seconds cpu_seconds l2 nonFinite maxAbs (cpu: time.process_time, all threads of the process)
"""
import json
import struct
import sys
import time
import zipfile

import numpy as np

CHUNK = 1 << 16


def regions(path):
    """(dtype, offset, count) of each array to scan: the safetensors data section, or every storage of a
    torch.save zip (STORED entries <root>/data/<key>; the benchmark's zips hold F32 storages only)."""
    if zipfile.is_zipfile(path):
        out = []
        with zipfile.ZipFile(path) as z, open(path, 'rb') as f:
            for info in z.infolist():
                if '/data/' not in info.filename or info.compress_type != zipfile.ZIP_STORED:
                    continue
                f.seek(info.header_offset)
                local = f.read(30)
                name_len, extra_len = struct.unpack('<HH', local[26:30])
                out.append(('F32', info.header_offset + 30 + name_len + extra_len, info.file_size // 4))
        return out
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
    dtypes = {v['dtype'] for k, v in header.items() if k != '__metadata__'}
    assert len(dtypes) == 1, dtypes
    return [(dtypes.pop(), 8 + n, None)]


def main(path):
    t = time.perf_counter()
    cpu_start = time.process_time()
    squares = 0.0
    non_finite = 0
    max_abs = 0.0
    for dtype, offset, count in regions(path):
        raw = np.memmap(path, dtype=np.uint16 if dtype == 'BF16' else np.float32, mode='r', offset=offset,
                        shape=None if count is None else (count,))
        for i in range(0, raw.size, CHUNK):
            c = raw[i:i + CHUNK]
            if dtype == 'BF16':
                c = (c.astype(np.uint32) << 16).view(np.float32)
            finite = np.isfinite(c)
            non_finite += c.size - int(np.count_nonzero(finite))
            cf = c[finite]
            if cf.size:
                squares += float(np.linalg.norm(cf)) ** 2
                max_abs = max(max_abs, float(np.abs(cf).max()))
    seconds = time.perf_counter() - t
    cpu = time.process_time() - cpu_start
    print(f'{seconds:.4f} {cpu:.4f} {squares ** 0.5:.10g} {non_finite} {max_abs:.10g}')


if __name__ == '__main__':
    main(sys.argv[1])
