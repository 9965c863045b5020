"""shapes.py: the program shapes of gen.py beyond double arrays and scalars,
chosen at random per seed (gen.Gen.program calls pick):

  heap      a heap struct Buf { int len; double *v; } from helper functions
            (buf_new / buf_resize / buf_free, noinline in some programs),
            filled, used, resized (free + malloc again), refilled, freed
  structs   an array of Bufs (malloc'd, each initialized by buf_init), one
            of them resized
  rows      a `double **` row table from rows_new, freed by rows_free
  memops    calloc'd scratch arrays filled by memcpy and shifted by an
            overlapping memmove; memmove inside a state array
  records   arrays of records mixing int, float and double fields
            (Rec { int id; double w; int flags; float tag; double v[3]; },
            tag holding inactive values), local or malloc'd, copied with
            memcpy, by struct assignment (in a loop, reversed, through a
            helper), shifted by memmove, swapped through a temporary, or
            passed through a char buffer
  vec       a growable vector Vec { double *v; int len, cap; } (on the stack
            or calloc'd) pushed in a loop by vec_push (realloc doubling from
            realloc(NULL, ...)), used, then shrunk or grown by realloc and
            refilled past the old length, freed
  aligned   a matrix from posix_memalign (64) and a row from aligned_alloc
            (32), filled and folded row by row, freed
  custom    tiny helpers with custom derivatives (CT_DERIVATIVE) whose
            pullbacks are their exact derivatives, called in expressions
  float     the whole program in float (float arrays and scalars, sinf,
            expf, ... and float literals); the harness converts the test
            point and checks with the float oracle (FLOAT_ORACLE)
  api       the gradient through Cotangent's own operators: ct_gradient,
            ct_value_with_gradient (its value checked against f) or
            ct_value_with_pullback + ct_pullback_apply + ct_pullback_free,
            instead of __enzyme_autodiff; f sometimes declared with a wrt
            list (CT_DIFFERENTIABLE_WRT), which C and F signatures need
  access    a matrix struct Mat { int nr, nc; double *d; } read and written
            through accessors returning pointers into it (mat_at, mat_row;
            noinline in some programs) and a recursive one (nth_slot, a
            call at every -O level: its augmented forward returns the
            pointer's shadow), in fills, folds and as arrays of statements;
            also over an argument array. Chosen by a random stream of its
            own, so programs without it are as before
  fnptr     (with api) f reached through a function-pointer table indexed
            at run time; f is CT_DIFFERENTIABLE. Indirect calls inside
            differentiated code are not generated: Cotangent rejects them
            ("indirect call through a function pointer cannot be
            differentiated").

Every statement shape writes its arrays before reading them, stays in
bounds, frees what it allocates on every path (its blocks take no early
return), and folds its values into a state variable by the contraction
sh = a * sh + c * tanh(E) with |c| <= (1 - |a|) VB, so values stay bounded.
"""

import random
import re
import struct

G = None  # the gen module (set by gen.py: shapes.G = sys.modules[...])

STMT_SHAPES = ["heap", "structs", "rows", "memops", "access", "records", "vec", "aligned"]

FLOAT_OPS = ["sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "atan", "sinh", "cosh", "pow", "hypot",
             "fabs", "fmin", "fmax", "erf", "cbrt", "log1p", "expm1", "atan2", "fma"]

# Programs that use a pullback may write their array arguments in place
# (ct_pullback_free once re-ran the reverse with seed 0, which added the
# adjoint of such a write a second time; it now runs the release twin).
PULLBACK_WRITES_ARGS = True

# float oracle: the differences are of a float function, its rounding ~1e-7
FLOAT_TOL, FLOAT_SMOOTH = 2e-3, 1e-2


def pick(g):
    """The set of new shapes of this program (empty in about 35 % of them,
    which are the original double-only programs)."""
    r = g.r
    s = set()
    if r.random() < 0.35:
        return s
    for name, p in [("heap", 0.3), ("structs", 0.2), ("rows", 0.25), ("memops", 0.3), ("records", 0.25),
                    ("custom", 0.3), ("float", 0.2), ("api", 0.45)]:
        if r.random() < p:
            s.add(name)
    if not s:
        s.add(r.choice([k for k in STMT_SHAPES if k not in ("access", "vec", "aligned")] + ["custom", "float", "api"]))
    if access_rng(g).random() < 0.3:
        s.add("access")
    if alloc_rng(g).random() < 0.25:
        s.add("vec")
    if alloc_rng(g).random() < 0.2:
        s.add("aligned")
    if "float" in s:
        s.add("api")  # __enzyme_autodiff returns doubles: floats go through ct_gradient
        if g.sig not in ("A", "D", "E"):
            g.sig = r.choice(["A", "D", "E"])
    if "api" in s:
        g.api = r.choice(["grad", "vgrad", "pullback"])
        if r.random() < 0.3 and g.api != "pullback":
            s.add("fnptr")
        g.wrt = g.sig in ("C", "F") or r.random() < 0.35
        if g.sig == "F" and not g.wrt:
            g.wrt = True
    return s


def rnd_float(v):
    return struct.unpack("f", struct.pack("f", v))[0]


def prelude(g):
    """Types and helpers the shapes use, emitted before the other helpers."""
    r = g.r
    L = []
    noinl = "__attribute__((noinline)) " if r.random() < 0.5 else ""
    if g.shapes & {"heap", "structs"}:
        L += ["typedef struct {", "  int len;", "  double *v;", "} Buf;", "",
              "static %svoid buf_init(Buf *b, int len) {" % noinl,
              "  b->len = len;", "  b->v = malloc(sizeof(double) * len);", "}", "",
              "static %sBuf *buf_new(int len) {" % noinl,
              "  Buf *b = malloc(sizeof *b);", "  buf_init(b, len);", "  return b;", "}", "",
              "static %svoid buf_resize(Buf *b, int len) {" % noinl,
              "  free(b->v);", "  b->v = malloc(sizeof(double) * len);", "  b->len = len;", "}", "",
              "static %svoid buf_free(Buf *b) {" % noinl, "  free(b->v);", "  free(b);", "}", ""]
    if "vec" in g.shapes:
        L += ["typedef struct {", "  double *v;", "  int len, cap;", "} Vec;", "",
              "static %svoid vec_push(Vec *a, double x) {" % noinl,
              "  if (a->len == a->cap) {", "    a->cap = a->cap ? 2 * a->cap : 1;",
              "    a->v = realloc(a->v, sizeof(double) * a->cap);", "  }", "  a->v[a->len++] = x;", "}", ""]
    if "rows" in g.shapes:
        L += ["static %sdouble **rows_new(int nr, int nc) {" % noinl,
              "  double **m = malloc(sizeof(double *) * nr);",
              "  for (int i = 0; i < nr; i++)", "    m[i] = malloc(sizeof(double) * nc);", "  return m;", "}", "",
              "static %svoid rows_free(double **m, int nr) {" % noinl,
              "  for (int i = 0; i < nr; i++)", "    free(m[i]);", "  free(m);", "}", ""]
    if "access" in g.shapes:
        L += access_prelude(g)
    if "records" in g.shapes:
        L += ["typedef struct {", "  int id;", "  double w;", "  int flags;", "  float tag;", "  double v[3];",
              "} Rec;", "",
              "static %svoid rec_assign(Rec *d, const Rec *s) { *d = *s; }" % noinl, ""]
    g.customs = []
    if "custom" in g.shapes:
        for k in range(r.randint(1, 3)):
            L += custom_helper(g, "cd%d" % (k + 1))
    return L


def custom_helper(g, name):
    """A tiny helper double name(double a, double b) with a custom derivative
    that is its exact derivative."""
    r = g.r
    lit = G.lit
    c1, c2 = g.coef(0.2, 1.5), g.coef(0.2, 1.5)
    k = r.randrange(5)
    VB = G.VB
    if k == 0:
        body = "%s * a * b + %s * a" % (lit(c1), lit(c2))
        pb = ["*da += seed * (%s * b + %s);" % (lit(c1), lit(c2)), "*db += seed * %s * a;" % lit(c1)]
        bound = abs(c1) * VB * VB + abs(c2) * VB
    elif k == 1:
        body = "%s * sin(a) + b" % lit(c1)
        pb = ["*da += seed * %s * cos(a);" % lit(c1), "*db += seed;"]
        bound = abs(c1) + VB
    elif k == 2:
        body = "tanh(%s * a - b)" % lit(c1)
        pb = ["double t = tanh(%s * a - b);" % lit(c1), "*da += seed * %s * (1 - t * t);" % lit(c1),
              "*db -= seed * (1 - t * t);"]
        bound = 1.0
    elif k == 3:
        body = "%s * a * a + %s * b" % (lit(c1), lit(c2))
        pb = ["*da += seed * 2 * %s * a;" % lit(c1), "*db += seed * %s;" % lit(c2)]
        bound = abs(c1) * VB * VB + abs(c2) * VB
    else:
        # the body as written: a + b (folded away at -O1 unless the custom
        # derivative wins); its pullback is the same derivative
        body = "a + b"
        pb = ["*da += seed;", "*db += seed;"]
        bound = 2 * VB
    st = "static " if r.random() < 0.7 else ""
    g.customs.append(dict(name=name, bound=bound))
    g.features.add("custom_derivative")
    L = ["%sdouble %s(double a, double b) { return %s; }" % (st, name, body), "CT_DERIVATIVE(%s)" % name,
         "%svoid %s_pullback(double a, double b, double seed, double *da, double *db) {" % (st, name)]
    if k in (2, 4) or "a" not in " ".join(pb):
        L.append("  (void)a, (void)b;")
    elif "b" not in " ".join(pb).replace("db", ""):
        L.append("  (void)b;")
    L += ["  " + s for s in pb] + ["}", ""]
    return L


def custom_call(g, depth):
    if not g.customs:
        return None
    h = g.r.choice(g.customs)
    g.used.add(h["name"])
    a = g.fit(g.expr(depth), G.VB)
    b = g.fit(g.expr(depth), G.VB)
    return G.E("%s(%s, %s)" % (h["name"], a.code, b.code), h["bound"], False)


def use_custom(g, h):
    """A term of f's result that calls custom helper h (not called yet)."""
    a = g.fit(g.expr(2), G.VB)
    b = g.fit(g.expr(2), G.VB)
    e = g.fit(G.E("%s(%s, %s)" % (h["name"], a.code, b.code), h["bound"], False), G.VB)
    v = G.Var(g.fresh("cu"), G.VB, "acc", budget=0.0)
    g.emit("double %s = %s;" % (v.name, e.code))
    g.scopes[0].dvars.append(v)
    g.used.add(h["name"])


def to_float(text):
    """The helpers and f in float: types, libm calls and literals."""
    text = re.sub(r"\bdouble\b", "float", text)
    text = re.sub(r"\b(%s)\(" % "|".join(FLOAT_OPS), lambda m: m.group(1) + "f(", text)
    return re.sub(r"(?<![\w.])(\d+\.\d*(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)(?![\w.])", r"\1f", text)


def double_twin(text):
    """The helpers and f of a float program (text: their double source, before
    to_float) as a double twin whose top-level names end in _fd: the same
    function (literals are the float program's, (double)c.f) evaluated in
    double, for the oracle's central differences (float differences can be
    off by more than their own error estimate). Not differentiated: the
    Cotangent attributes are dropped."""
    names = set()
    for line in text.split("\n"):
        m = re.match(r"(?:static\s+)?(?:__attribute__\(\([^()]*\)\)\s+)?(?:const\s+)?(?:struct\s+)?\w+\s*\**\s*(\w+)\s*\(", line)
        if m and not line.startswith((" ", "\t")):
            names.add(m.group(1))
        m = re.match(r"}\s*(\w+)\s*;", line) or re.match(r"typedef\s+.*\b(\w+)\s*;", line)
        if m:
            names.add(m.group(1))
        m = re.match(r"(?:typedef\s+)?struct\s+(\w+)", line)
        if m:
            names.add(m.group(1))
        m = re.match(r"static\s+(?:const\s+)?\w+\s+\**(\w+)\s*(?:\[[^]]*\])*\s*(?:=|;)", line)
        if m:
            names.add(m.group(1))
    text = re.sub(r"\bCT_DIFFERENTIABLE_WRT\([^)]*\)|\bCT_DIFFERENTIABLE\b|\bCT_NO_DERIVATIVE\b", "", text)
    text = re.sub(r"^CT_DERIVATIVE\([^)]*\)\s*$", "", text, flags=re.M)
    if names:
        text = re.sub(r"\b(%s)\b" % "|".join(sorted(names, key=len, reverse=True)), r"\1_fd", text)
    return re.sub(r"(?<![\w.])(\d+\.\d*(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)(?![\w.])", r"((double)\1f)", text)


# ------------------------------------------------------------ statements
def fold(g, loops, elem):
    """for-loops (list of (var, bound)) around sh = a * sh + c * tanh(elem * E)."""
    r = g.r
    for v, b in loops:
        g.emit("for (int %s = 0; %s < %s; %s++) {" % (v, v, b, v))
        g.ind += 1
    a = g.coef(0.2, 0.85)
    c = G.round_down((1 - abs(a)) * G.VB) * r.choice([1, -1])
    e = g.expr(r.randint(0, 2))
    g.emit("%s = %s * %s + %s * tanh(%s * %s);" % (g.shvar.name, G.lit(a), g.shvar.name, G.lit(c), elem, e.code))
    for _ in loops:
        g.ind -= 1
        g.emit("}")


def fill(g, elem, size, nmax, i=None):
    """for (i < size) elem(i) = E, |E| <= VB."""
    i = i or g.fresh("i")
    g.emit("for (int %s = 0; %s < %s; %s++) {" % (i, i, size, i))
    g.ind += 1
    g.push()
    g.scopes[-1].ivars.append(G.IVar(i, size, 0, 0, None, nmax))
    g.emit("%s = %s;" % (elem(i), g.fit(g.expr(g.r.randint(1, 3)), G.VB).code))
    g.pop()
    g.ind -= 1
    g.emit("}")


def with_array(g, ctx, name, size, nmin, nmax):
    """Statements that may read and write array name (size) in a block."""
    g.push()
    g.scopes[-1].arrays.append(G.Arr(name, size, nmin, nmax, True))
    sub = dict(ctx, depth=max(ctx["depth"], 1) + 1, can_return=False, in_loop=False, arrays_ok=False)
    g.stmts(g.r.randint(0, 2), sub)
    g.pop()


def block(g, ctx, kind):
    """One statement shape as a block { ... }."""
    g.used_shapes.add(kind)
    g.features.add("shape_" + kind)
    g.emit("{")
    g.ind += 1
    g.push()
    {"heap": heap, "structs": structs, "rows": rows, "memops": memops, "access": access,
     "records": records, "vec": vec, "aligned": aligned}[kind](g, ctx)
    g.pop()
    g.ind -= 1
    g.emit("}")


def heap(g, ctx):
    r = g.r
    b, n = g.fresh("b"), g.nval
    g.emit("Buf *%s = buf_new(n);" % b)
    fill(g, lambda i: "%s->v[%s]" % (b, i), "n", n)
    with_array(g, ctx, b + "->v", "n", n, n)
    fold(g, [("i", "n")], "%s->v[i]" % b)
    M = r.randint(2, n + 3)
    g.emit("buf_resize(%s, %d);" % (b, M))
    g.sizes.setdefault(str(M), (M, M))
    fill(g, lambda i: "%s->v[%s]" % (b, i), str(M), M)
    with_array(g, ctx, b + "->v", str(M), M, M)
    fold(g, [("i", "%s->len" % b)], "%s->v[i]" % b)
    g.emit("buf_free(%s);" % b)


def structs(g, ctx):
    r = g.r
    bs, n, K = g.fresh("bs"), g.nval, r.randint(2, 4)
    g.emit("Buf *%s = malloc(sizeof(Buf) * %d);" % (bs, K))
    g.emit("for (int j = 0; j < %d; j++)" % K)
    g.emit("  buf_init(&%s[j], n);" % bs)
    g.emit("for (int j = 0; j < %d; j++) {" % K)
    g.ind += 1
    g.push()
    g.scopes[-1].ivars.append(G.IVar("j", None, 0, 0, K, K))
    fill(g, lambda i: "%s[j].v[%s]" % (bs, i), "n", n)
    g.pop()
    g.ind -= 1
    g.emit("}")
    last = "%s[%d]" % (bs, K - 1)
    if r.random() < 0.6:
        M = r.randint(2, n + 2)
        g.emit("buf_resize(&%s, %d);" % (last, M))
        g.sizes.setdefault(str(M), (M, M))
        fill(g, lambda i: "%s.v[%s]" % (last, i), str(M), M)
    k = r.randrange(K - 1)
    with_array(g, ctx, "%s[%d].v" % (bs, k), "n", n, n)
    fold(g, [("j", str(K - 1)), ("i", "n")], "%s[j].v[i] * %s[j + 1].v[(i + 1) %% %s[j + 1].len]" % (bs, bs, bs))
    fold(g, [("i", "%s.len" % last)], "%s.v[i]" % last)
    g.emit("for (int j = 0; j < %d; j++)" % K)
    g.emit("  free(%s[j].v);" % bs)
    g.emit("free(%s);" % bs)


def rows(g, ctx):
    r = g.r
    m, n, R = g.fresh("m"), g.nval, r.randint(2, 4)
    g.emit("double **%s = rows_new(%d, n);" % (m, R))
    g.emit("for (int r = 0; r < %d; r++) {" % R)
    g.ind += 1
    g.push()
    g.scopes[-1].ivars.append(G.IVar("r", None, 0, 0, R, R))
    fill(g, lambda i: "%s[r][%s]" % (m, i), "n", n)
    g.pop()
    g.ind -= 1
    g.emit("}")
    with_array(g, ctx, "%s[%d]" % (m, r.randrange(R)), "n", n, n)
    fold(g, [("r", str(R)), ("i", "n")], "%s[r][i]" % m)
    g.emit("rows_free(%s, %d);" % (m, R))


def memops(g, ctx):
    r = g.r
    n = g.nval
    srcs = [a for a in g.arrays() if a.size == "n"]
    c = g.fresh("c")
    g.emit("double *%s = calloc(n + 2, sizeof(double));" % c)
    g.emit("memcpy(%s + 1, %s, sizeof(double) * n);" % (c, r.choice(srcs).name))
    if r.random() < 0.5:
        g.emit("memmove(%s, %s + 1, sizeof(double) * n);" % (c, c))
    else:
        g.emit("memmove(%s + 2, %s + 1, sizeof(double) * n);" % (c, c))
    g.sizes.setdefault("(n + 2)", (n + 2, n + 2))
    with_array(g, ctx, c, "(n + 2)", n + 2, n + 2)
    fold(g, [("i", "n + 2")], "%s[i]" % c)
    dst = [a for a in g.arrays() if a.writable and a.nmin >= 2 and "->" not in a.name and "." not in a.name]
    if dst and r.random() < 0.7:
        a = r.choice(dst)
        if r.random() < 0.5:
            g.emit("memmove(%s + 1, %s, sizeof(double) * (%s - 1));" % (a.name, a.name, a.size))
        else:
            g.emit("memmove(%s, %s + 1, sizeof(double) * (%s - 1));" % (a.name, a.name, a.size))
        g.features.add("memmove_inplace")
    g.emit("free(%s);" % c)


def access_rng(g):
    """The random stream of the access shape's choices (not g.r, so that the
    programs without the shape are what they were before it)."""
    if not hasattr(g, "access_r"):
        g.access_r = random.Random(g.seed * 1000003 + 7)
    return g.access_r


def access_prelude(g):
    noinl = "__attribute__((noinline)) " if access_rng(g).random() < 0.5 else ""
    return ["typedef struct {", "  int nr, nc;", "  double *d;", "} Mat;", "",
            "static %sdouble *mat_at(Mat *m, int i, int j) { return &m->d[i * m->nc + j]; }" % noinl,
            "static %sdouble *mat_row(Mat *m, int i) { return m->d + i * m->nc; }" % noinl,
            "/* recursive (not a tail call): a call at every level */",
            "static double *nth_slot(double *p, int k) { return k <= 0 ? p : nth_slot(p, k - 1) + 1; }", ""]


def access(g, ctx):
    """A heap matrix filled, read and written through accessors that return
    pointers into it, and an argument array read through one."""
    r = access_rng(g)
    mm, n, R = g.fresh("mm"), g.nval, r.randint(2, 3)
    g.emit("Mat %s = {%d, n, malloc(sizeof(double) * %d * n)};" % (mm, R, R))
    styles = ["*mat_at(&{m}, r, {i})", "mat_row(&{m}, r)[{i}]", "*nth_slot({m}.d, r * {m}.nc + {i})"]
    elem = r.choice(styles)
    g.emit("for (int r = 0; r < %d; r++) {" % R)
    g.ind += 1
    g.push()
    g.scopes[-1].ivars.append(G.IVar("r", None, 0, 0, R, R))
    fill(g, lambda i: elem.format(m=mm, i=i), "n", n)
    g.pop()
    g.ind -= 1
    g.emit("}")
    k = r.randrange(R)
    row = r.choice(["mat_row(&%s, %d)" % (mm, k), "nth_slot(%s.d, %d * n)" % (mm, k)])
    with_array(g, ctx, row, "n", n, n)
    if r.random() < 0.5:
        # a slot written through the recursive accessor: scaled in place
        g.emit("*nth_slot(%s.d, %d) *= %s;" % (mm, r.randrange(2), G.lit(g.coef(0.3, 0.9))))
    fold(g, [("r", str(R)), ("i", "n")], r.choice(styles).format(m=mm, i="i"))
    srcs = [a for a in g.arrays() if a.size == "n" and a.writable and "(" not in a.name]
    if srcs and r.random() < 0.6:
        am = g.fresh("am")
        g.emit("Mat %s = {1, n, %s};" % (am, r.choice(srcs).name))
        fold(g, [("i", "n")], r.choice(["*mat_at(&{m}, 0, i)", "*nth_slot({m}.d, i)"]).format(m=am))
    g.emit("free(%s.d);" % mm)


def records(g, ctx):
    """Records filled from the function's values, copied one of several
    ways into a second array, and folded into the state."""
    r = g.r
    n = g.nval
    ra, rb = g.fresh("ra"), g.fresh("rb")
    for name in (ra, rb):
        if r.random() < 0.5:
            g.emit("Rec %s[%d];" % (name, n + r.randint(0, 2)))
        else:
            g.emit("Rec *%s = malloc(sizeof(Rec) * n);" % name)
            g.scopes[-1].frees.append(name)
    i = g.fresh("i")
    g.emit("for (int %s = 0; %s < n; %s++) {" % (i, i, i))
    g.ind += 1
    g.push()
    g.scopes[-1].ivars.append(G.IVar(i, "n", 0, 0, None, n))
    g.emit("%s[%s].id = %s + 1;" % (ra, i, i))
    g.emit("%s[%s].flags = %s %% 3;" % (ra, i, i))
    g.emit("%s[%s].tag = (float)(0.5 * %s);" % (ra, i, i))
    for field in ("w", "v[0]", "v[1]", "v[2]"):
        g.emit("%s[%s].%s = %s;" % (ra, i, field, g.fit(g.expr(r.randint(1, 2)), G.VB).code))
    g.pop()
    g.ind -= 1
    g.emit("}")
    k = r.choice(["memcpy", "assign", "reversed", "helper", "memmove", "swap", "bytes"])
    g.features.add("records_" + k)
    if k == "assign":
        g.emit("for (int j = 0; j < n; j++)")
        g.emit("  %s[j] = %s[j];" % (rb, ra))
    elif k == "reversed":
        g.emit("for (int j = 0; j < n; j++)")
        g.emit("  %s[j] = %s[n - 1 - j];" % (rb, ra))
    elif k == "helper":
        g.emit("for (int j = 0; j < n; j++)")
        g.emit("  rec_assign(&%s[j], &%s[(j + 1) %% n]);" % (rb, ra))
    elif k == "bytes":
        buf = g.fresh("buf")
        g.emit("unsigned char *%s = malloc(sizeof(Rec) * n);" % buf)
        g.emit("memcpy(%s, %s, sizeof(Rec) * n);" % (buf, ra))
        g.emit("memcpy(%s, %s, sizeof(Rec) * n);" % (rb, buf))
        g.emit("free(%s);" % buf)
    else:
        g.emit("memcpy(%s, %s, sizeof(Rec) * n);" % (rb, ra))
        if k == "memmove":
            g.emit("memmove(%s + 1, %s, sizeof(Rec) * (n - 1));" % (rb, rb))
        elif k == "swap":
            t = g.fresh("t")
            g.emit("Rec %s = %s[0];" % (t, rb))
            g.emit("%s[0] = %s[n - 1];" % (rb, rb))
            g.emit("%s[n - 1] = %s;" % (rb, t))
    c = g.coef(0.1, 0.5)
    fold(g, [("j", "n")], "%s[j].w * %s[j].v[(j + %d) %% 3] * (%s[j].id %% 3 + %s[j].flags + %s)"
         % (rb, rb, r.randrange(3), rb, rb, G.lit(c)))


def alloc_rng(g):
    """The random stream of the vec and aligned shapes' choices (not g.r: the
    programs without them are what they were before them)."""
    if not hasattr(g, "alloc_r"):
        g.alloc_r = random.Random(g.seed * 1000003 + 11)
    return g.alloc_r


def vec(g, ctx):
    """A growable vector pushed by realloc doubling, used, shrunk or grown."""
    r = alloc_rng(g)
    q, n = g.fresh("q"), g.nval
    if r.random() < 0.4:
        g.emit("Vec *%s = calloc(1, sizeof(Vec));" % q)
        a, ref = q + "->", q
    else:
        g.emit("Vec %s = {NULL, 0, 0};" % q)
        a, ref = q + ".", "&" + q
    i = g.fresh("i")
    g.emit("for (int %s = 0; %s < n; %s++) {" % (i, i, i))
    g.ind += 1
    g.push()
    g.scopes[-1].ivars.append(G.IVar(i, "n", 0, 0, None, n))
    g.emit("vec_push(%s, %s);" % (ref, g.fit(g.expr(r.randint(1, 3)), G.VB).code))
    g.pop()
    g.ind -= 1
    g.emit("}")
    with_array(g, ctx, a + "v", "n", n, n)
    fold(g, [("i", a + "len")], "%sv[i]" % a)
    M = r.randint(1, n + 4)
    g.emit("%sv = realloc(%sv, sizeof(double) * %d);" % (a, a, M))
    g.features.add("realloc_shrink" if M < n else "realloc_grow")
    if M > n:
        j = g.fresh("i")
        g.emit("for (int %s = n; %s < %d; %s++) {" % (j, j, M, j))
        g.ind += 1
        g.push()
        g.scopes[-1].ivars.append(G.IVar(j, None, 0, 0, M, M - n))
        g.emit("%sv[%s] = %s;" % (a, j, g.fit(g.expr(r.randint(1, 3)), G.VB).code))
        g.pop()
        g.ind -= 1
        g.emit("}")
    g.emit("%slen = %slen < %d ? %slen : %d;" % (a, a, M, a, M) if M <= n else "%slen = %d;" % (a, M))
    fold(g, [("i", a + "len")], "%sv[i] * %sv[(i + 1) %% %slen]" % (a, a, a))
    g.emit("free(%sv);" % a)
    if ref == q:
        g.emit("free(%s);" % q)


def aligned(g, ctx):
    """A posix_memalign'd matrix and an aligned_alloc'd row."""
    r = alloc_rng(g)
    m, t, n, R = g.fresh("m"), g.fresh("t"), g.nval, r.randint(2, 4)
    g.emit("double *%s = NULL;" % m)
    g.emit("if (posix_memalign((void **)&%s, 64, sizeof(double) * %d * n))" % (m, R))
    g.emit("  abort();")
    g.emit("double *%s = aligned_alloc(32, sizeof(double) * 8 * ((n + 7) / 8));" % t)
    g.emit("for (int r = 0; r < %d; r++) {" % R)
    g.ind += 1
    g.push()
    g.scopes[-1].ivars.append(G.IVar("r", None, 0, 0, R, R))
    fill(g, lambda i: "%s[r * n + %s]" % (m, i), "n", n)
    g.pop()
    g.ind -= 1
    g.emit("}")
    fill(g, lambda i: "%s[%s]" % (t, i), "n", n)
    with_array(g, ctx, m, "n", n, n)
    fold(g, [("r", str(R)), ("i", "n")], "%s[r * n + i] * %s[i]" % (m, t))
    g.emit("free(%s);" % t)
    g.emit("free(%s);" % m)


# ---------------------------------------------------------------- harness
PARAMS = {"A": "T *, int, T", "B": "T *, int, T, T", "C": "T *, const double *, int, T",
          "D": "T *, T *, int, T", "E": "T, T *, int", "F": "T *, int, T, T"}


def native_grad(g, pv, qv, check_value):
    """call_grad's body by ct_gradient, ct_value_with_gradient or a pullback
    (the shadows start at SEED, as with __enzyme_autodiff)."""
    sig, api = g.sig, g.api
    L = []
    e = L.append
    D = sig == "D"
    e("  T x[NX], dx[NX]%s;" % (", y[NX], dy[NX]" if D else ""))
    e("  for (int k = 0; k < NX; k++) {")
    e("    x[k] = (T)v[k];")
    e("    dx[k] = (T)SEED[k];")
    if D:
        e("    y[k] = (T)v[NX + k];")
        e("    dy[k] = (T)SEED[NX + k];")
    e("  }")
    if sig == "C":
        e("  double w[NX];")
        e("  memcpy(w, W0, sizeof w);")
    e("  T dp = 0%s;" % (", dq = 0" if sig == "B" else ""))
    fn = "f"
    if "fnptr" in g.shapes:
        # chosen at run time: the operator gets a pointer variable
        e("  static volatile int pick = %d;" % g.r.randrange(2))
        e("  T (*const ftab[2])(%s) = {f, f};" % PARAMS[sig])
        e("  T (*fp)(%s) = ftab[pick];" % PARAMS[sig])
        fn = "fp"
    grad = api != "pullback"
    dp, dq = (", &dp", ", &dq") if grad else ("", "")
    args = {
        "A": "x, dx, NX, %s%s" % (pv, dp),
        "B": "x, dx, NX, %s%s, %s%s" % (pv, dp, qv, dq),
        "C": "x, dx, w, NX, %s%s" % (pv, dp),
        "D": "x, dx, y, dy, NX, %s%s" % (pv, dp),
        "E": "%s%s, x, dx, NX" % (pv, dp),
        "F": "x, dx, NX, %s%s, Q0" % (pv, dp),
    }[sig]
    if api == "grad":
        e("  ct_gradient(%s, %s);" % (fn, args))
    else:
        if api == "vgrad":
            e("  double val = ct_value_with_gradient(%s, %s);" % (fn, args))
        else:
            e("  ct_pullback_t pb;")
            e("  double val = ct_value_with_pullback(%s, &pb, %s);" % (fn, args))
            e("  ct_pullback_apply(pb, 1.0, &dp%s);" % (", &dq" if sig == "B" else ""))
            e("  ct_pullback_free(pb);")
        if check_value:
            e("  double ref = call_f(v, NULL);")
            e("  if (!(val == ref || fabs(val - ref) <= PTOL * fmax(1.0, fabs(ref)))) {")
            e("    printf(\"WRONG value: %.17g, f %.17g\\n\", val, ref);")
            e("    extra_fail++;")
            e("  }")
        else:
            e("  (void)val;")
    e("  for (int k = 0; k < NX; k++) {")
    e("    g[k] = dx[k];")
    if D:
        e("    g[NX + k] = dy[k];")
    e("  }")
    e("  g[NA * NX] = dp;")
    if sig == "B":
        e("  g[NA * NX + 1] = dq;")
    e("  if (out) {")
    e("    for (int k = 0; k < NX; k++) {")
    e("      out[k] = x[k];")
    if D:
        e("      out[NX + k] = y[k];")
    e("    }")
    e("  }")
    return L
