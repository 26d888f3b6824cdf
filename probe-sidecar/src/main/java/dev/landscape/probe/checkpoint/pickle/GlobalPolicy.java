package dev.landscape.probe.checkpoint.pickle;

import java.util.Optional;
import java.util.Set;

/**
 * Which pickle globals make a file hostile. The unpickler never calls anything, so an unknown global is harmless by
 * construction; but a checkpoint that names {@code os.system} or {@code builtins.eval} was made to attack whoever
 * loads it with {@code torch.load}, and the user must hear that rather than get a quietly inert value.
 *
 * <p>A few data-only builtins that protocol 2 needs for ordinary values ({@code set}, {@code frozenset},
 * {@code bytearray}, {@code object} as the base argument of {@code copyreg._reconstructor}) are allowed.
 */
public final class GlobalPolicy {

    /** Top-level modules that can run code, load code, or touch processes, files, the network or memory. */
    static final Set<String> FORBIDDEN_MODULES = Set.of(
            "os", "posix", "nt", "posixpath", "ntpath", "subprocess", "builtins", "__builtin__", "sys", "importlib",
            "imp", "zipimport", "pkgutil", "runpy", "code", "codeop", "socket", "ssl", "select", "selectors",
            "shutil", "pathlib", "glob", "tempfile", "io", "_io", "fileinput", "pickle", "_pickle", "cPickle",
            "pickletools", "copy", "marshal", "shelve", "dbm", "dill", "cloudpickle", "joblib", "ctypes", "cffi",
            "webbrowser", "pty", "tty", "termios", "fcntl", "resource", "commands", "popen2", "types", "inspect",
            "ast", "gc", "multiprocessing", "concurrent", "threading", "_thread", "thread", "asyncio", "signal",
            "functools", "operator", "_operator", "platform", "pdb", "bdb", "trace", "timeit", "profile",
            "cProfile", "urllib", "urllib2", "http", "httplib", "ftplib", "smtplib", "telnetlib", "xmlrpc",
            "requests", "distutils", "setuptools", "pip", "site", "sysconfig", "linecache", "venv", "sqlite3",
            "logging", "atexit", "weakref", "_posixsubprocess", "posix_spawn", "mmap");

    /** Names that evaluate, import, open or execute whatever module they come from. */
    static final Set<String> FORBIDDEN_NAMES = Set.of(
            "eval", "exec", "execfile", "compile", "__import__", "getattr", "setattr", "delattr", "globals",
            "locals", "vars", "open", "input", "breakpoint", "apply", "system", "popen", "Popen", "spawn", "spawnv",
            "spawnl", "fork", "call", "check_call", "check_output", "run", "runstring", "load", "loads",
            "load_module", "import_module", "attrgetter", "methodcaller", "itemgetter");

    /**
     * Sub-modules of otherwise ordinary packages that load code or files ({@code torch.jit._pickle}, which only
     * rebuilds lists in TorchScript archives, is allowed).
     */
    static final Set<String> FORBIDDEN_PREFIXES = Set.of(
            "torch.hub", "torch.serialization", "torch.package", "torch.utils.cpp_extension", "torch._dynamo",
            "torch.jit", "numpy.testing", "numpy.f2py", "numpy.distutils", "numpy.lib.npyio", "numpy.ctypeslib",
            "numpy.lib.utils");

    static final Set<String> SAFE_BUILTINS = Set.of("set", "frozenset", "bytearray", "object");

    private GlobalPolicy() {
    }

    /** Why {@code module.name} is refused, or empty when it may be kept as an inert name. */
    public static Optional<String> refusal(String module, String name) {
        String top = module.contains(".") ? module.substring(0, module.indexOf('.')) : module;
        if ((top.equals("builtins") || top.equals("__builtin__")) && module.equals(top) && SAFE_BUILTINS.contains(name)) {
            return Optional.empty();
        }
        if (FORBIDDEN_MODULES.contains(top)) {
            return Optional.of("module " + top + " can run code or touch the system");
        }
        for (String p : FORBIDDEN_PREFIXES) {
            if ((module.equals(p) || module.startsWith(p + ".")) && !module.equals("torch.jit._pickle")) {
                return Optional.of("module " + p + " loads code or files");
            }
        }
        String last = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : name;
        if (FORBIDDEN_NAMES.contains(name) || FORBIDDEN_NAMES.contains(last)) {
            return Optional.of(last + " evaluates, imports, opens or executes");
        }
        if (name.startsWith("__") && !name.equals("__newobj__") && !name.equals("__newobj_ex__")) {
            return Optional.of("dunder globals reach Python internals");
        }
        return Optional.empty();
    }
}
