#!/usr/bin/env python3
"""gen.py: seeded generator of random differentiable C programs, the input of
Cotangent's randomized differential test (scripts/fuzz, test/fuzz/run_batch.py).

    python3 test/fuzz/gen.py SEED [-o FILE]

Each program defines one function `f` with an array argument (duplicated),
an int `n` and one or two scalar arguments, in one of six signatures, e.g.

    double f(double *x, int n, double p)
    double f(double *x, int n, double p, double q)   (both active: D2 result)
    double f(double *x, const double *w, int n, double p)   (w enzyme_const)
    double f(double *x, double *y, int n, double p)   (both duplicated)
    double f(double p, double *x, int n)
    double f(double *x, int n, double p, double q)   (q enzyme_const)

built from nested for-loops (trip counts n, n-1, i, constants; up, down, by
two, triangular), while- and do-while-loops with a data-dependent exit and an
iteration cap, if/else, switch and ?: on comparisons of intermediate doubles,
break/continue/early return, int counters bumped in branches (used as
indices), arrays updated in place (x[i] = a*x[i] + ... x[i-1] ...), local
arrays (fixed size or malloc'd; filled by a loop, memcpy or memset),
pointers selected at run time between arrays, static helper functions
(scalar, array-updating, array-reducing, recursive with a depth argument,
called with pointer offsets) and the libm functions sin cos tan exp log sqrt
tanh atan sinh cosh pow hypot fabs fmin fmax erf cbrt log1p expm1 atan2 fma
with safe domains. Variable-length arrays are not generated (Cotangent
rejects them by design). About two thirds of the programs also get some of
the shapes of shapes.py, chosen per seed: heap structs from helpers
(resized and freed), arrays of them, double** row tables, calloc + memcpy +
memmove, arrays of records mixing int, float and double fields copied with
memcpy, memmove and struct assignment, custom derivatives, float programs (checked with a float
tolerance), and the gradient by ct_gradient / ct_value_with_gradient /
pullbacks, with wrt lists and run-time function pointers.

Its `main` computes the gradient with Enzyme's C ABI (`__enzyme_autodiff`)
or Cotangent's operators (shapes.py) and compares every component against central finite differences. The
shadows of the arrays start at SEED (zero in half of the programs), so the
reverse pass computes the gradient of f + SEED . (arrays after f), which is
what the finite differences differentiate too:

  - central differences at ten steps, 1e-2 max(1, |v|) halved nine times,
    each extrapolated twice from its neighbours (Richardson, O(h^6)); the
    estimate fd is the extrapolation that changes least from the next one,
    and that change is its error estimate err; noise is the objective's
    rounding amplified by that estimate's smallest step;
  - when err > SMOOTH * max(1, |fd|), a branch switch or a kink lies within
    the steps: the same from 1e-5 max(1, |v|); if that does not settle
    either, the function is not smooth at the point and the component is
    counted as skipped (run_batch.py fails a batch that skips more than 1 %
    of its components);
  - else the component passes when |ad - fd| <= TOL |fd| + ERRK max(err,
    noise) (TOL = 1e-7: a relative bound where the differences are
    accurate; near 0, the noise of the differences: an exact 0 must come out
    as 0 to that noise), and is wrong otherwise. A float program's
    differences are taken of its double twin (the same helpers and f in
    double, names ending in _fd, shapes.double_twin): float differences can
    be off by more than their own error estimate (seed 100240: 0.4 %); the
    float gradient's rounding gets a relative 2e-3 and 4 FLT_EPSILON |f| / H0;
  - a non-finite f, gradient component or difference is wrong.

With CT_FUZZ_FORWARD=1 in the environment (scripts/fuzz passes it on), the
programs that use Enzyme's ABI in double also check forward mode: the
directional derivative of the objective along a fixed direction, from
__enzyme_fwddiff (f's tangent plus SEED . the arrays' tangents after f),
must equal the checked gradient . direction (to 1e-9 of the sum of the
magnitudes of its terms).

It also checks that the AD call leaves the arrays as a call of f does (the
primal side effects) and, in some programs, that a second AD call gives the
same result. It prints `FUZZRESULT ok=.. skip=.. fail=.. nonfinite=..` and
exits 1 when anything is wrong.

Keeping values finite: the bound of every expression is tracked while it is
generated; state variables and array elements stay within VB (contractions
v = a*v + E with |E| <= (1-|a|)*VB, squashing by tanh/atan/erf/sin),
accumulators have a budget charged with the trips of the loops around each
update, arguments of exp/sinh/cosh/expm1/tan are bounded, and log/sqrt/pow
see arguments bounded away from 0. Test inputs are random doubles with all
their digits, so exact ties at branch points do not happen.

Python 3 standard library only; the same seed always gives the same program.
"""

import argparse
import math
import random
import os
import sys
from collections import namedtuple

import shapes

shapes.G = sys.modules[__name__]

VB = 4.0  # bound of state variables and array elements
WRAP = 60.0  # expressions whose bound exceeds this are squashed
TOL = 1e-7  # |ad - fd| <= TOL * |fd| + ERRK * err (err: the extrapolation's error estimate)
ERRK = 8.0
SMOOTH = 1e-8  # err > SMOOTH * max(1, |fd|): not smooth at the point, skipped
NSTEP = 10  # central differences at h0 = 1e-2 max(1, |v|), h0/2, ..., h0/512

E = namedtuple("E", "code bound leaf")

SQUASH = [("tanh", 1.0), ("atan", math.pi / 2), ("erf", 1.0), ("sin", 1.0)]
BOUNDED = [("sin", 1.0), ("cos", 1.0), ("tanh", 1.0), ("atan", math.pi / 2), ("erf", 1.0)]


def lit(c):
    """A double literal; negative ones parenthesized."""
    s = "%.3g" % c
    if "e" not in s and "." not in s:
        s += ".0"
    if s.startswith("-"):
        return "(" + s + ")"
    return s


def full(c):
    """A double literal with all digits (test inputs)."""
    return repr(float(c))


def round_down(c):
    """A 2-significant-digit value <= c (c > 0)."""
    e = math.floor(math.log10(c)) - 1
    v = float("%.2g" % (math.floor(c / 10.0 ** e) * 10.0 ** e))
    while v > c:
        v = float("%.2g" % (v - 10.0 ** e))
    return v


class Var:
    """A double variable. bound is a true bound of |value| for the whole life
    of the variable (loops included): updates keep it. An accumulator ("acc")
    takes += updates while its budget lasts, each charged with its bound
    times the trips of the loops around it."""

    def __init__(self, name, bound, kind, writable=True, budget=0.0):
        self.name, self.bound, self.kind, self.writable, self.budget = name, bound, kind, writable, budget


class Arr:
    """An array: size is its length as C code ('n', 'm', '6'); nmin/nmax the
    numeric range of that length."""

    def __init__(self, name, size, nmin, nmax, writable):
        self.name, self.size, self.nmin, self.nmax, self.writable = name, size, nmin, nmax, writable


class IVar:
    """A loop variable. With size set it runs within [lo, size - 1 - hi_off];
    with size None within [0, const - 1]."""

    def __init__(self, name, size, lo, hi_off, const, trips):
        self.name, self.size, self.lo, self.hi_off, self.const, self.trips = name, size, lo, hi_off, const, trips


class Scope:
    def __init__(self):
        self.dvars, self.arrays, self.ivars, self.frees, self.counters = [], [], [], [], []


class Gen:
    def __init__(self, seed):
        self.seed = seed
        self.r = random.Random(seed)
        self.uid = 0
        self.lines = []
        self.ind = 0
        self.scopes = []
        self.extra_idx = {}
        self.helpers = []  # dicts: name kind ...
        self.callable = []  # helpers callable from the function being generated
        self.used = set()
        self.fn = None
        self.features = set()
        self.shapes, self.used_shapes, self.customs, self.shvar = set(), set(), [], None
        self.api, self.wrt = "enzyme", False  # how the harness calls the gradient (shapes.py)

    # ---------------------------------------------------------------- utils
    def fresh(self, p):
        self.uid += 1
        return "%s%d" % (p, self.uid)

    def emit(self, s):
        self.lines.append("  " * self.ind + s)

    def wpick(self, opts):
        tot = sum(w for _, w in opts)
        x = self.r.random() * tot
        for k, w in opts:
            x -= w
            if x < 0:
                return k
        return opts[-1][0]

    def coef(self, lo=0.1, hi=2.0, sign=True):
        c = self.r.uniform(lo, hi)
        if sign and self.r.random() < 0.4:
            c = -c
        return float("%.3g" % c)

    def dvars(self):
        return [v for s in self.scopes for v in s.dvars]

    def arrays(self):
        return [a for s in self.scopes for a in s.arrays]

    def ivars(self):
        return [v for s in self.scopes for v in s.ivars]

    def counters(self):
        return [v for s in self.scopes for v in s.counters]

    def ret(self, code):
        """return code; at the end of a function, after freeing the arrays
        its outermost scope allocated (its pop then frees nothing more)."""
        frees = self.scopes[0].frees
        if not frees:
            self.emit("return %s;" % code)
            return
        v = self.fresh("ret")
        self.emit("double %s = %s;" % (v, code))
        for name in frees:
            self.emit("free(%s);" % name)
        self.scopes[0].frees = []
        self.emit("return %s;" % v)

    def push(self):
        self.scopes.append(Scope())

    def pop(self):
        s = self.scopes.pop()
        for name in s.frees:
            self.emit("free(%s);" % name)

    def size_range(self, size):
        return self.sizes[size]

    # ---------------------------------------------------------- expressions
    def pick_index(self, arr):
        loopy, other = [], []
        for iv in self.ivars():
            if iv.size == arr.size:
                loopy.append(iv.name)
                if iv.lo >= 1:
                    loopy.append("%s - 1" % iv.name)
                if iv.hi_off >= 1:
                    loopy.append("%s + 1" % iv.name)
                loopy.append("%s - 1 - %s" % (arr.size, iv.name))
            elif self.iv_max(iv) <= arr.nmin - 1:
                loopy.append(iv.name)
                loopy.append("%s - 1 - %s" % (arr.size, iv.name))
            loopy.append("(%s + %d) %% %s" % (iv.name, self.r.randint(1, 3), arr.size))
        for c in self.counters():
            loopy.append("%s %% %s" % (c, arr.size))
        for k in range(min(arr.nmin, 3)):
            other.append(str(k))
        other.append("%s - 1" % arr.size)
        loopy += self.extra_idx.get(arr.size, [])
        if loopy and self.r.random() < 0.85:
            return self.r.choice(loopy)
        return self.r.choice(other)

    def iv_max(self, iv):
        """The largest value loop variable iv takes."""
        if iv.size is None:
            return iv.const - 1
        return self.sizes[iv.size][1] - 1 - iv.hi_off

    def leaf(self):
        r = self.r
        opts = [("const", 1.5)]
        dv = self.dvars()
        arrs = self.arrays()
        if dv:
            opts.append(("var", 5))
        if arrs:
            opts.append(("arr", 6))
        if self.ivars():
            opts.append(("int", 0.6))
        if self.counters():
            opts.append(("counter", 0.4))
        k = self.wpick(opts)
        if k == "counter":
            c = self.coef(0.05, 0.5)
            return E("(%s * (%s %% 4))" % (lit(c), r.choice(self.counters())), abs(c) * 3, False)
        if k == "var":
            v = r.choice(dv)
            return E(v.name, v.bound, True)
        if k == "arr":
            a = r.choice(arrs)
            return E("%s[%s]" % (a.name, self.pick_index(a)), VB, True)
        if k == "int":
            iv = r.choice(self.ivars())
            c = self.coef(0.05, 0.5)
            return E("(%s * %s)" % (lit(c), iv.name), abs(c) * iv.trips, False)
        c = self.coef()
        return E(lit(c), abs(c), True)

    def squash(self, e, target=1.0):
        fn, b = self.r.choice(SQUASH)
        s = round_down(target / b)
        inner = e.code
        if e.bound > 3:
            inner = "%s * %s" % (lit(round_down(3.0 / e.bound) if e.bound < 3e4 else 1e-4), e.code)
        code = "%s(%s)" % (fn, inner)
        if s != 1.0:
            code = "(%s * %s)" % (lit(s), code)
        return E(code, s * b, False)

    def wrap(self, e):
        if e.bound > WRAP or not math.isfinite(e.bound):
            return self.squash(e, self.r.choice([1.0, 2.0, VB]))
        return e

    def fit(self, e, target):
        """e scaled or squashed to |e| <= target."""
        if e.bound <= target:
            return e
        ratio = target / e.bound
        if ratio >= 1 / 40 and self.r.random() < 0.7:
            c = round_down(ratio)
            return E("(%s * %s)" % (lit(c), e.code), c * e.bound, False)
        return self.squash(e, target)

    def bounded_arg(self, depth, limit):
        """An expression with |e| <= limit, for exp/sinh/cosh/tan."""
        a = self.expr(depth)
        if a.bound <= limit:
            return a
        fn, b = self.r.choice(SQUASH)
        c = round_down(limit / b) * self.r.choice([1, -1])
        return E("%s * %s(%s)" % (lit(c), fn, a.code), abs(c) * b, False)

    def positive(self, depth):
        """(code, lo, hi): an expression with lo <= e <= hi, lo > 0."""
        r = self.r
        k = r.randrange(7)
        c = float("%.3g" % r.uniform(0.2, 2.0))
        if k == 0:
            a = self.leaf()
            return "(%s + %s * %s)" % (lit(c), a.code, a.code), c, c + a.bound ** 2
        if k == 1:
            fn, b = r.choice(BOUNDED)
            c2 = self.coef(0.1, 1.5)
            c1 = float("%.3g" % (abs(c2) * b + r.uniform(0.1, 1.0)))
            a = self.expr(depth)
            return "(%s + %s * %s(%s))" % (lit(c1), lit(c2), fn, a.code), c1 - abs(c2) * b, c1 + abs(c2) * b
        if k == 2:
            a = self.bounded_arg(depth, 2.5)
            return "exp(%s)" % a.code, math.exp(-a.bound), math.exp(a.bound)
        if k == 3:
            a = self.expr(depth)
            return "(%s + fabs(%s))" % (lit(c), a.code), c, c + a.bound
        if k == 4:
            a = self.bounded_arg(depth, 2.5)
            return "cosh(%s)" % a.code, 1.0, math.cosh(a.bound)
        if k == 5:
            a = self.expr(depth)
            return "hypot(%s, %s)" % (a.code, lit(c)), c, a.bound + c
        a = self.leaf()
        return "sqrt(%s + %s * %s)" % (lit(c), a.code, a.code), math.sqrt(c), math.sqrt(c + a.bound ** 2)

    def cond(self, depth):
        r = self.r
        a = self.expr(depth)
        k = r.randrange(6)
        if k < 3:
            b = self.expr(depth)
            if b.code == a.code:
                b = E(lit(self.coef()), 2, True)
            op = r.choice(["<", ">", "<=", ">="])
            c = "%s %s %s" % (a.code, op, b.code)
        elif k < 5:
            t = self.coef(0.0, min(a.bound, 2.0) * 0.7 + 0.05)
            c = "%s %s %s" % (a.code, r.choice(["<", ">"]), lit(t))
        else:
            c = "%s * %s < %s" % (a.code, a.code, lit(self.coef(0.1, 2.0, sign=False)))
        if r.random() < 0.12:
            c2 = self.cond(0)
            c = "(%s) %s (%s)" % (c, r.choice(["&&", "||"]), c2)
        return c

    def call_expr(self, depth):
        """A call of a pure helper as an expression, or None."""
        cands = [h for h in self.callable if h["kind"] in ("scalar", "scalar_rec", "arr_reduce")]
        if not cands:
            return None
        h = self.r.choice(cands)
        if h["kind"] == "arr_reduce":
            arrs = [a for a in self.arrays() if a.nmin >= 3]
            if not arrs:
                return None
        self.used.add(h["name"])
        args = []
        if h["kind"].startswith("arr"):
            a = self.r.choice(arrs)
            args += [a.name, a.size]
        args.append(self.fit(self.expr(depth), VB).code)
        if h["kind"].startswith("scalar"):
            args.append(self.fit(self.expr(depth), VB).code)
        if h["kind"].endswith("rec"):
            args.append(self.depth_arg())
        return E("%s(%s)" % (h["name"], ", ".join(args)), VB, False)

    def depth_arg(self):
        if self.fn == "f":
            return self.r.choice(["n", "n - 1", "2", "3", "4"])
        if "m" in self.sizes:
            return self.r.choice(["2", "3", "m"])
        return self.r.choice(["1", "2", "3"])

    def expr(self, depth):
        r = self.r
        if depth <= 0 or r.random() < 0.22:
            return self.leaf()
        opts = [("add", 3), ("sub", 2), ("mul", 3), ("scale", 1.5), ("neg", 0.4), ("div", 1.2),
                ("unary", 4), ("exp", 1.5), ("tan", 0.5), ("log", 1.2), ("sqrt", 1), ("pow", 1.2),
                ("hypot", 0.6), ("minmax", 0.8), ("fabs", 0.4), ("atan2", 0.5), ("cbrt", 0.3),
                ("log1p", 0.6), ("select", 0.7), ("fma", 0.4)]
        if self.callable:
            opts.append(("call", 1.5))
        if self.customs:
            opts.append(("custom", 1.2))
        k = self.wpick(opts)
        d = depth - 1
        if k in ("add", "sub", "mul", "hypot", "minmax", "atan2"):
            a, b = self.expr(d), self.expr(d)
            if a.code == b.code:
                b = E(lit(self.coef()), 2.0, True)
            if k in ("hypot", "atan2"):
                # hypot and atan2 have 0/0 partials at (0, 0), and operands
                # can be exactly 0 for every input (a loop counter at 0, a
                # memset array): offset the second one by a non-zero constant
                c = self.coef(0.1, 2.0)
                b = E("(%s + %s)" % (b.code, lit(c)), b.bound + abs(c), False)
            if k == "add":
                e = E("(%s + %s)" % (a.code, b.code), a.bound + b.bound, False)
            elif k == "sub":
                e = E("(%s - %s)" % (a.code, b.code), a.bound + b.bound, False)
            elif k == "mul":
                e = E("(%s * %s)" % (a.code, b.code), a.bound * b.bound, False)
            elif k == "hypot":
                e = E("hypot(%s, %s)" % (a.code, b.code), a.bound + b.bound, False)
            elif k == "minmax":
                e = E("%s(%s, %s)" % (r.choice(["fmin", "fmax"]), a.code, b.code), max(a.bound, b.bound), False)
            else:
                e = E("atan2(%s, %s)" % (a.code, b.code), math.pi, False)
            self.features.add(k)
        elif k == "fma":
            a, b, c = self.expr(d), self.expr(d), self.expr(d)
            e = E("fma(%s, %s, %s)" % (a.code, b.code, c.code), a.bound * b.bound + c.bound, False)
            self.features.add("fma")
        elif k == "scale":
            a = self.expr(d)
            c = self.coef()
            e = E("(%s * %s)" % (lit(c), a.code), abs(c) * a.bound, False)
        elif k == "neg":
            a = self.expr(d)
            e = E("(-%s)" % a.code, a.bound, False)
        elif k == "div":
            a = self.expr(d)
            p, lo, hi = self.positive(d)
            e = E("(%s / %s)" % (a.code, p), a.bound / lo, False)
        elif k == "unary":
            fn, b = r.choice(BOUNDED)
            a = self.expr(d)
            e = E("%s(%s)" % (fn, a.code), b, False)
        elif k == "exp":
            fn = r.choice(["exp", "exp", "sinh", "cosh", "expm1"])
            a = self.bounded_arg(d, 2.5)
            e = E("%s(%s)" % (fn, a.code), math.exp(a.bound), False)
        elif k == "tan":
            a = self.bounded_arg(d, 1.3)
            e = E("tan(%s)" % a.code, math.tan(a.bound), False)
        elif k == "log":
            p, lo, hi = self.positive(d)
            e = E("log(%s)" % p, max(abs(math.log(lo)), abs(math.log(hi))), False)
        elif k == "sqrt":
            p, lo, hi = self.positive(d)
            e = E("sqrt(%s)" % p, math.sqrt(hi), False)
        elif k == "pow":
            p, lo, hi = self.positive(d)
            if r.random() < 0.6:
                ex = r.choice([0.5, 1.5, 2.0, 3.0, -0.5, -1.0, 0.3, 2.5])
                exs = lit(ex)
            else:
                a = self.bounded_arg(d, 2.0)
                ex, exs = a.bound, a.code
            bound = max(hi ** abs(ex), lo ** -abs(ex), 1.0) if hi < 1e100 else float("inf")
            e = E("pow(%s, %s)" % (p, exs), bound, False)
        elif k == "fabs":
            a = self.expr(d)
            e = E("fabs(%s)" % a.code, a.bound, False)
        elif k == "cbrt":
            # cbrt'(0) is infinite: values that decay to exactly 0 (underflow
            # in long products) would give NaN gradients, so keep away from 0
            p, lo, hi = self.positive(d)
            sign = r.choice(["", "-"])
            e = E("cbrt(%s%s)" % (sign, p), hi ** (1 / 3.0), False)
        elif k == "log1p":
            if r.random() < 0.5:
                p, lo, hi = self.positive(d)
                e = E("log1p(%s)" % p, math.log1p(hi), False)
            else:
                a = self.expr(d)
                c = self.coef(0.1, 0.9)
                e = E("log1p(%s * tanh(%s))" % (lit(c), a.code), abs(math.log1p(-abs(c))), False)
        elif k == "select":
            c = self.cond(max(d - 1, 0))
            a, b = self.expr(d), self.expr(d)
            e = E("(%s ? %s : %s)" % (c, a.code, b.code), max(a.bound, b.bound), False)
            self.features.add("select")
        elif k == "custom":
            e = shapes.custom_call(self, d)
        else:
            e = self.call_expr(d) or self.leaf()
        return self.wrap(e)

    # ----------------------------------------------------------- statements
    def targets(self):
        """Assignable state variables, accumulators and array elements."""
        t = [("var", v) for v in self.dvars() if v.writable]
        t += [("arr", a) for a in self.arrays() if a.writable]
        return t

    def assign(self, ctx):
        r = self.r
        ts = self.targets()
        if not ts:
            return self.decl(ctx)
        kind, t = r.choice(ts)
        if kind == "arr":
            name = "%s[%s]" % (t.name, self.pick_index(t))
            self.features.add("array_write")
        else:
            name = t.name
        B = VB if kind == "arr" else t.bound
        if kind == "var" and t.kind == "acc" and t.budget / ctx["trips"] >= 0.02:
            e = self.fit(self.expr(r.randint(1, 3)), min(1.0, t.budget / ctx["trips"]))
            self.emit("%s %s= %s;" % (name, r.choice("+-"), e.code))
            t.budget -= ctx["trips"] * e.bound
            return
        k = r.randrange(10)
        if k < 5:
            a = self.coef(0.2, 0.85)
            e = self.fit(self.expr(r.randint(1, 3)), (1 - abs(a)) * B)
            self.emit("%s = %s * %s + %s;" % (name, lit(a), name, e.code))
        elif k < 7:
            e = self.fit(self.expr(r.randint(1, 3)), B)
            self.emit("%s = %s;" % (name, e.code))
        elif k < 9:
            fn, b = r.choice([("sin", 1), ("cos", 1), ("tanh", 1), ("erf", 1)])
            e = self.expr(r.randint(1, 2))
            self.emit("%s = %s * %s(%s);" % (name, name, fn, e.code))
        else:
            e = self.fit(self.expr(r.randint(1, 2)), B)
            self.emit("%s = %s(%s, %s);" % (name, r.choice(["fmin", "fmax"]), name, e.code))

    def decl(self, ctx):
        r = self.r
        if r.random() < 0.08:
            name = self.fresh("k")
            self.emit("int %s = 0;" % name)
            self.scopes[-1].counters.append(name)
        elif r.random() < 0.35:
            name = self.fresh("s")
            c = self.coef(0.1, 1.0)
            self.emit("double %s = %s;" % (name, lit(c)))
            self.scopes[-1].dvars.append(self.acc_var(name, abs(c)))
        else:
            name = self.fresh("t")
            e = self.fit(self.expr(r.randint(1, 3)), VB)
            self.emit("double %s = %s;" % (name, e.code))
            self.scopes[-1].dvars.append(Var(name, VB, "state"))

    def acc_var(self, name, init, budget=None):
        if budget is None:
            budget = self.r.choice([4.0, 16.0, 64.0])
        return Var(name, init + budget, "acc", budget=budget)

    def loop_sizes(self):
        return [s for s in self.sizes if s != "const"]

    def for_loop(self, ctx):
        r = self.r
        i = self.fresh("i")
        opts = []
        sizes = self.loop_sizes()
        if sizes:
            opts.append(("full", 6))
        outer = [iv for iv in self.ivars() if iv.size is not None]
        if outer:
            opts.append(("tri", 3))
        opts.append(("const", 1.5))
        k = self.wpick(opts)
        if k == "full":
            S = r.choice(sizes)
            nmin, nmax = self.sizes[S]
            v = r.randrange(6)
            if v == 0:
                hdr, iv = "int %s = 0; %s < %s; %s++" % (i, i, S, i), IVar(i, S, 0, 0, None, nmax)
            elif v == 1:
                hdr, iv = "int %s = 1; %s < %s; %s++" % (i, i, S, i), IVar(i, S, 1, 0, None, nmax)
            elif v == 2:
                hdr, iv = "int %s = 0; %s < %s - 1; %s++" % (i, i, S, i), IVar(i, S, 0, 1, None, nmax)
            elif v == 3:
                hdr, iv = "int %s = %s - 1; %s >= 0; %s--" % (i, S, i, i), IVar(i, S, 0, 0, None, nmax)
            elif v == 4:
                hdr, iv = "int %s = %s - 1; %s > 0; %s--" % (i, S, i, i), IVar(i, S, 1, 0, None, nmax)
            else:
                hdr, iv = "int %s = 0; %s < %s; %s += 2" % (i, i, S, i), IVar(i, S, 0, 0, None, nmax)
        elif k == "tri":
            o = r.choice(outer)
            v = r.randrange(3)
            if v == 0:
                hdr = "int %s = 0; %s < %s; %s++" % (i, i, o.name, i)
                iv = IVar(i, o.size, 0, o.hi_off + 1, None, o.trips)
            elif v == 1:
                hdr = "int %s = %s; %s < %s; %s++" % (i, o.name, i, o.size, i)
                iv = IVar(i, o.size, o.lo, 0, None, o.trips)
            else:
                hdr = "int %s = %s + 1; %s < %s; %s++" % (i, o.name, i, o.size, i)
                iv = IVar(i, o.size, o.lo + 1, 0, None, o.trips)
            self.features.add("triangular")
        else:
            C = r.randint(2, 5)
            hdr, iv = "int %s = 0; %s < %d; %s++" % (i, i, C, i), IVar(i, None, 0, 0, C, C)
        self.emit("for (%s) {" % hdr)
        self.ind += 1
        self.push()
        self.scopes[-1].ivars.append(iv)
        sub = dict(ctx, depth=ctx["depth"] + 1, in_loop=True, trips=ctx["trips"] * iv.trips)
        self.stmts(r.randint(1, 3), sub, need_write=True)
        self.pop()
        self.ind -= 1
        self.emit("}")
        self.features.add("for")

    def while_loop(self, ctx):
        r = self.r
        w, it = self.fresh("w"), self.fresh("it")
        cap = r.randint(3, 12)
        do_while = False
        sub = dict(ctx, depth=ctx["depth"] + 1, in_loop=True, trips=ctx["trips"] * cap)
        e = self.fit(self.expr(2), 1.0)
        self.emit("double %s = %s;" % (w, e.code))
        self.emit("int %s = 0;" % it)
        if r.random() < 0.5:
            # monotone: runs until w passes a threshold
            thr = float("%.3g" % r.uniform(0.5, 3.0))
            do_while = r.random() < 0.3
            if do_while:
                self.emit("do {")
                self.features.add("do_while")
            else:
                self.emit("while (%s < %d && %s < %s) {" % (it, cap, w, lit(thr)))
            self.ind += 1
            self.push()
            self.emit("%s++;" % it)
            c = float("%.3g" % r.uniform(0.2, 0.6))
            c2 = float("%.3g" % (c * r.uniform(0.1, 0.8)))
            fn, b = r.choice(BOUNDED[:3])
            a = self.expr(2)
            self.emit("%s += %s + %s * %s(%s);" % (w, lit(c), lit(c2), fn, a.code))
            wb = 1.0 + cap * (c + c2)
        else:
            # convergence: a contraction until the step is small
            z = self.fresh("z")
            tol = r.choice(["1e-3", "1e-2", "0.05"])
            self.emit("while (%s < %d) {" % (it, cap))
            self.ind += 1
            self.push()
            self.emit("%s++;" % it)
            self.emit("double %s = %s;" % (z, w))
            a = self.coef(0.2, 0.7)
            e = self.fit(self.expr(2), (1 - abs(a)) * VB)
            self.emit("%s = %s * %s + %s;" % (w, lit(a), w, e.code))
            self.emit("if (fabs(%s - %s) < %s) break;" % (w, z, tol))
            wb = VB
        wv = Var(w, wb, "acc", writable=False)
        self.scopes[-2].dvars.append(wv)
        self.stmts(r.randint(0, 2), sub)
        self.pop()
        self.ind -= 1
        if do_while:
            self.emit("} while (%s < %d && %s < %s);" % (it, cap, w, lit(thr)))
        else:
            self.emit("}")
        wv.writable = True
        self.features.add("while")

    def if_stmt(self, ctx):
        r = self.r
        self.emit("if (%s) {" % self.cond(r.randint(1, 2)))
        sub = dict(ctx, depth=ctx["depth"] + 1)
        self.ind += 1
        self.push()
        self.stmts(r.randint(1, 2), sub)
        self.pop()
        self.ind -= 1
        if r.random() < 0.6:
            self.emit("} else {")
            self.ind += 1
            self.push()
            self.stmts(r.randint(1, 2), sub)
            self.pop()
            self.ind -= 1
        self.emit("}")
        self.features.add("if")

    def jump(self, ctx):
        r = self.r
        opts = []
        if ctx["in_loop"]:
            opts += [("break", 2), ("continue", 1)]
        if ctx["can_return"] and not any(s.frees for s in self.scopes):
            opts.append(("return", 1))  # (not past a malloc'd array: it would leak)
        if not opts:
            return self.assign(ctx)
        k = self.wpick(opts)
        c = self.cond(r.randint(1, 2))
        if k == "return":
            if ctx["void"]:
                self.emit("if (%s) return;" % c)
            else:
                e = self.fit(self.expr(2), VB) if self.fn != "f" else self.expr(2)
                self.emit("if (%s) return %s;" % (c, e.code))
        else:
            self.emit("if (%s) %s;" % (c, k))
        self.features.add(k)

    def local_array(self, ctx):
        r = self.r
        t = self.fresh("a")
        # (variable-length arrays are not generated: Cotangent rejects them
        # with a diagnostic by design, "use a fixed size or malloc")
        k = self.wpick([("fixed", 4), ("malloc", 1.5)])
        if k == "fixed":
            M = r.randint(3, self.nval + 3)
            size = str(M)
            self.sizes.setdefault(size, (M, M))
            self.emit("double %s[%d];" % (t, M))
        else:
            size = "n" if self.fn == "f" else r.choice(self.loop_sizes() or ["4"])
            if size not in self.sizes:
                self.sizes[size] = (int(size), int(size))
            self.emit("double *%s = malloc(sizeof(double) * %s);" % (t, size))
            self.scopes[-1].frees.append(t)
            self.features.add("malloc")
        nmin, nmax = self.sizes[size]
        arr = Arr(t, size, nmin, nmax, True)
        same = [a for a in self.arrays() if a.size == size]
        if r.random() < 0.15:
            self.emit("memset(%s, 0, sizeof(double) * %s);" % (t, size))
            self.features.add("memset")
        elif same and r.random() < 0.3:
            self.emit("memcpy(%s, %s, sizeof(double) * %s);" % (t, r.choice(same).name, size))
            self.features.add("memcpy")
        else:
            i = self.fresh("i")
            self.emit("for (int %s = 0; %s < %s; %s++) {" % (i, i, size, i))
            self.ind += 1
            self.push()
            self.scopes[-1].ivars.append(IVar(i, size, 0, 0, None, nmax))
            e = self.fit(self.expr(r.randint(1, 3)), VB)
            self.emit("%s[%s] = %s;" % (t, i, e.code))
            self.pop()
            self.ind -= 1
            self.emit("}")
        self.scopes[-1].arrays.append(arr)
        self.features.add("local_array_" + k)

    def call_stmt(self, ctx):
        r = self.r
        cands = [h for h in self.callable]
        h = r.choice(cands)
        if h["kind"] in ("scalar", "scalar_rec", "arr_reduce"):
            ce = self.call_expr(2)
            if ce is None:
                return self.assign(ctx)
            tg = [v for v in self.dvars() if v.writable]
            if not tg:
                t = self.fresh("t")
                self.emit("double %s = %s;" % (t, ce.code))
                self.scopes[-1].dvars.append(Var(t, VB, "state"))
                return
            v = r.choice(tg)
            if v.kind == "acc" and v.budget / ctx["trips"] >= 0.02:
                e = self.fit(ce, min(1.0, v.budget / ctx["trips"]))
                self.emit("%s += %s;" % (v.name, e.code))
                v.budget -= ctx["trips"] * e.bound
            else:
                a = self.coef(0.2, 0.8)
                self.emit("%s = %s * %s + %s;" % (v.name, lit(a), v.name, self.fit(ce, (1 - abs(a)) * v.bound).code))
            return
        arrs = [a for a in self.arrays() if a.writable and a.nmin >= 3]
        if not arrs:
            return self.assign(ctx)
        a = r.choice(arrs)
        self.used.add(h["name"])
        if a.nmin >= 4 and r.random() < 0.2:
            args = ["%s + 1" % a.name, "%s - 1" % a.size]
            self.features.add("pointer_offset")
        else:
            args = [a.name, a.size]
        args.append(self.fit(self.expr(2), VB).code)
        if h["kind"] == "arr_rec":
            args.append(self.depth_arg())
            call = "%s(%s)" % (h["name"], ", ".join(args))
            tg = [v for v in self.dvars() if v.writable and v.kind == "state"]
            if tg:
                v = r.choice(tg)
                c = self.coef(0.2, 0.8)
                s = round_down((1 - abs(c)) * VB / VB)
                self.emit("%s = %s * %s + %s * %s;" % (v.name, lit(c), v.name, lit(s), call))
            else:
                self.emit("double %s = %s;" % (self.fresh("t"), call))
        else:
            self.emit("%s(%s);" % (h["name"], ", ".join(args)))

    def stmt(self, ctx):
        r = self.r
        deep = ctx["depth"] < ctx["maxdepth"]
        opts = [("assign", 6), ("decl", 1.5)]
        if deep:
            opts += [("for", 3), ("if", 2), ("while", 0.9)]
        if ctx["depth"] <= 1 and ctx.get("arrays_ok", True):
            opts.append(("array", 0.8))
        if self.callable:
            opts.append(("call", 1.5))
        if ctx["in_loop"] or ctx["can_return"]:
            opts.append(("jump", 0.8))
        if self.counters():
            opts.append(("count", 0.6))
        if deep and (self.counters() or self.ivars()):
            opts.append(("switch", 0.4))
        if ctx["depth"] <= 1 and self.alias_pairs():
            opts.append(("alias", 0.5))
        blocks = [b for b in shapes.STMT_SHAPES if b in self.shapes]
        if self.fn == "f" and ctx["depth"] <= 1 and blocks:
            opts.append(("shape", 1.0))
        k = self.wpick(opts)
        if k == "shape":
            return shapes.block(self, ctx, r.choice(blocks))
        {"assign": self.assign, "decl": self.decl, "for": self.for_loop, "if": self.if_stmt,
         "while": self.while_loop, "array": self.local_array, "call": self.call_stmt,
         "jump": self.jump, "count": self.count, "switch": self.switch, "alias": self.alias}[k](ctx)

    def count(self, ctx):
        """Bumps an int counter (data-dependent when inside a branch)."""
        c = self.r.choice(self.counters())
        self.emit(self.r.choice(["%s++;", "%s += 2;"]) % c)
        self.features.add("counter")

    def switch(self, ctx):
        r = self.r
        ints = [iv.name for iv in self.ivars()] + self.counters()
        v = r.choice(ints)
        ncase = r.randint(2, 3)
        self.emit("switch (%s %% %d) {" % (v, ncase + 1))
        sub = dict(ctx, depth=ctx["depth"] + 1)
        labels = ["case %d:" % k for k in range(ncase)] + ["default:"]
        for lab in labels:
            self.emit(lab + " {")
            self.ind += 1
            self.push()
            self.stmts(r.randint(1, 2), sub)
            self.pop()
            self.ind -= 1
            self.emit("}" if r.random() < 0.25 else "} break;")
        self.emit("}")
        self.features.add("switch")

    def alias_pairs(self):
        # not between the enzyme_const array w (no shadow) and a shadowed one:
        # a pointer that is w or x at run time has no shadow to give
        # (Cotangent reports "'select' instruction mixes memory with and
        # without a shadow", as Enzyme would need runtime activity)
        arrs = [a for a in self.arrays() if a.name != "w"]
        return [(a, b) for a in arrs for b in arrs if a is not b and a.size == b.size]

    def alias(self, ctx):
        """A pointer chosen at run time between two arrays of one length."""
        r = self.r
        a, b = r.choice(self.alias_pairs())
        q = self.fresh("q")
        writable = a.writable and b.writable
        self.emit("%sdouble *%s = %s ? %s : %s;" % ("" if writable else "const ", q, self.cond(1), a.name, b.name))
        self.scopes[-1].arrays.append(Arr(q, a.size, min(a.nmin, b.nmin), max(a.nmax, b.nmax), writable))
        self.features.add("pointer_select")

    def stmts(self, count, ctx, need_write=False):
        if need_write:
            self.assign(ctx)
            count -= 1
        for _ in range(count):
            self.stmt(ctx)

    # -------------------------------------------------------------- helpers
    def helper(self, idx):
        r = self.r
        name = "h%d" % idx
        kind = self.wpick([("scalar", 3), ("scalar_rec", 2), ("arr_void", 2.5), ("arr_reduce", 2), ("arr_rec", 2)])
        self.fn = name
        self.callable = [h for h in self.helpers]
        self.scopes = []
        self.extra_idx = {}
        self.push()
        mmax = self.nval + 3
        ctx = dict(depth=0, maxdepth=2, in_loop=False, can_return=False, void=False, trips=1)
        a = Var("a", VB, "state")
        self.scopes[-1].dvars.append(a)
        if kind.startswith("scalar"):
            self.sizes = {}
            ps = "double a, double b" + (", int d" if kind == "scalar_rec" else "")
            self.scopes[-1].dvars.append(Var("b", VB, "state"))
            self.emit("static double %s(%s) {" % (name, ps))
        else:
            self.sizes = {"m": (3, mmax)}
            const = kind == "arr_reduce"
            ptype = "const double *" if const else "double *"
            self.scopes[-1].arrays.append(Arr("y", "m", 3, mmax, not const))
            ps = "%sy, int m, double a" % ptype + (", int d" if kind == "arr_rec" else "")
            ret = "void" if kind == "arr_void" else "double"
            self.emit("static %s %s(%s) {" % (ret, name, ps))
        self.ind += 1
        if kind.endswith("rec"):
            self.features.add("recursion")
            self.emit("if (d <= 0) return %s;" % self.fit(self.expr(2), VB).code)
            if kind == "arr_rec":
                self.extra_idx = {"m": ["d % m", "(d + 1) % m"]}
                c = self.coef(0.2, 0.8)
                e = self.fit(self.expr(2), (1 - abs(c)) * VB)
                self.emit("y[d %% m] = %s * y[d %% m] + %s;" % (lit(c), e.code))
                self.stmts(r.randint(0, 1), ctx)
                call = "%s(y, m, %s, d - 1)" % (name, self.fit(self.expr(2), VB).code)
            else:
                self.stmts(r.randint(0, 1), ctx)
                call = "%s(%s, %s, d - 1)" % (name, self.fit(self.expr(2), VB).code,
                                              self.fit(self.expr(1), VB).code)
            rv = self.fresh("r")
            self.emit("double %s = %s;" % (rv, call))
            self.scopes[-1].dvars.append(Var(rv, VB, "state", writable=False))
            c = self.coef(0.2, 0.8)
            e = self.fit(self.expr(2), (1 - abs(c)) * VB)
            self.ret("%s * %s + %s" % (lit(c), rv, e.code))
        elif kind == "scalar":
            ctx["can_return"] = True
            self.stmts(r.randint(1, 3), ctx)
            self.ret(self.fit(self.expr(3), VB).code)
        elif kind == "arr_void":
            ctx["void"] = True
            ctx["can_return"] = True
            self.for_loop(ctx)
            self.stmts(r.randint(0, 2), ctx)
        else:  # arr_reduce
            s = self.fresh("s")
            self.emit("double %s = %s;" % (s, lit(self.coef(0.1, 1.0))))
            sv = self.acc_var(s, 1.0, mmax + self.r.choice([0.0, 4.0, 16.0]))
            self.scopes[-1].dvars.append(sv)
            i = self.fresh("i")
            self.emit("for (int %s = 0; %s < m; %s++) {" % (i, i, i))
            self.ind += 1
            self.push()
            self.scopes[-1].ivars.append(IVar(i, "m", 0, 0, None, mmax))
            e = self.fit(self.expr(r.randint(1, 3)), 1.0)
            self.emit("%s += %s;" % (s, e.code))
            sv.budget -= mmax
            self.stmts(r.randint(0, 1), dict(ctx, in_loop=True, depth=1, trips=mmax))
            self.pop()
            self.ind -= 1
            self.emit("}")
            self.ret(self.fit(E(s, sv.bound, True), VB).code)
        self.pop()
        self.ind -= 1
        self.emit("}")
        self.emit("")
        self.helpers.append(dict(name=name, kind=kind))

    # ------------------------------------------------------------- function
    def function(self):
        r = self.r
        self.fn = "f"
        self.callable = list(self.helpers)
        self.scopes = []
        self.extra_idx = {}
        self.sizes = {"n": (self.nval, self.nval)}
        self.push()
        sig = self.sig
        # (a pullback's f does not write its array arguments: see
        # shapes.PULLBACK_WRITES_ARGS)
        args_w = self.api != "pullback" or shapes.PULLBACK_WRITES_ARGS
        x = Arr("x", "n", self.nval, self.nval, args_w)
        self.scopes[-1].arrays.append(x)
        pw = r.random() < 0.5
        p = Var("p", VB if pw else 1.5, "state", writable=pw)
        self.scopes[-1].dvars.append(p)
        if sig in ("B", "F"):
            qw = r.random() < 0.5
            self.scopes[-1].dvars.append(Var("q", VB if qw else 1.5, "state", writable=qw))
        if sig == "C":
            self.scopes[-1].arrays.append(Arr("w", "n", self.nval, self.nval, False))
        if sig == "D":
            self.scopes[-1].arrays.append(Arr("y", "n", self.nval, self.nval, args_w))
        params = {
            "A": "double *x, int n, double p",
            "B": "double *x, int n, double p, double q",
            "C": "double *x, const double *w, int n, double p",
            "D": "double *x, double *y, int n, double p",
            "E": "double p, double *x, int n",
            "F": "double *x, int n, double p, double q",
        }[sig]
        if self.wrt:
            names = {"A": "x, p", "B": "x, p, q", "C": "x, p", "D": "x, y, p", "E": "p, x", "F": "x, p"}[sig]
            names = names.split(", ")
            r.shuffle(names)
            self.emit("double f(%s) CT_DIFFERENTIABLE_WRT(%s);" % (params, ", ".join(names)))
        elif "fnptr" in self.shapes:
            self.emit("CT_DIFFERENTIABLE double f(%s);" % params)
        self.emit("double f(%s) {" % params)
        self.ind += 1
        ctx = dict(depth=0, maxdepth=3, in_loop=False, can_return=True, void=False, trips=1)
        if any(b in self.shapes for b in shapes.STMT_SHAPES):
            # the state variable the statement shapes fold their values into
            self.shvar = Var(self.fresh("sh"), VB, "acc", budget=0.0)
            self.emit("double %s = 0.0;" % self.shvar.name)
            self.scopes[-1].dvars.append(self.shvar)
        # an accumulator to return
        s0 = self.fresh("s")
        self.emit("double %s = %s;" % (s0, lit(self.coef(0.1, 1.0))))
        self.scopes[-1].dvars.append(self.acc_var(s0, 1.0))
        if r.random() < 0.4:
            k = self.fresh("k")
            self.emit("int %s = 0;" % k)
            self.scopes[-1].counters.append(k)
        self.stmts(r.randint(3, 7), ctx)
        for b in shapes.STMT_SHAPES:
            if b in self.shapes and b not in self.used_shapes:
                shapes.block(self, ctx, b)
        for h in self.customs:
            if h["name"] not in self.used:
                shapes.use_custom(self, h)
        for h in self.helpers:
            if h["name"] not in self.used:
                self.callable = [h]
                self.call_stmt(ctx)
                self.callable = list(self.helpers)
        if r.random() < 0.8:
            i = self.fresh("i")
            self.emit("for (int %s = 0; %s < n; %s++) {" % (i, i, i))
            self.ind += 1
            self.push()
            self.scopes[-1].ivars.append(IVar(i, "n", 0, 0, None, self.nval))
            e = self.fit(self.expr(2), 1.0)
            c = self.coef(0.2, 1.0)
            arrs = [a.name for a in self.arrays() if a.size == "n" and a.name != "w"]
            a = r.choice(arrs) if arrs else "x"
            self.emit("%s += %s * %s[%s] * %s;" % (s0, lit(c), a, i, e.code))
            self.pop()
            self.ind -= 1
            self.emit("}")
        terms = [v.name for v in self.scopes[0].dvars if v.kind == "acc"]
        terms += ["%s * %s" % (lit(self.coef(0.1, 1.0)), v.name)
                  for v in self.scopes[0].dvars if v.kind == "state" and r.random() < 0.5]
        terms.append(self.expr(2).code)
        self.ret(" + ".join(terms))
        self.ind -= 1
        self.pop()
        self.emit("}")
        self.emit("")

    # -------------------------------------------------------------- harness
    def harness(self):
        r = self.r
        sig = self.sig
        nx = self.nval
        arrays = ["x"] + (["y"] if sig == "D" else [])
        scalars = ["p"] + (["q"] if sig == "B" else [])
        NV = nx * len(arrays) + len(scalars)
        flt = "float" in self.shapes
        T = "float" if flt else "double"
        rnd = shapes.rnd_float if flt else float
        vals = [r.uniform(-1.5, 1.5) for _ in range(NV)]
        for k in range(NV):
            while abs(vals[k]) < 0.05:
                vals[k] = r.uniform(-1.5, 1.5)
            vals[k] = rnd(vals[k])
        # (a pullback's shadows: zero, its seed scales what it adds)
        init_shadow = r.random() < 0.5 and self.api != "pullback"
        twice = r.random() < 0.3
        dup = "enzyme_dup, " if r.random() < 0.6 else ""
        L = []
        e = L.append
        e("/* ---------------------------------------------------------------- harness */")
        e("#define NX %d" % nx)
        e("#define NA %d /* arrays */" % len(arrays))
        e("#define NV %d /* active components */" % NV)
        e("static const double V0[NV] = {%s};" % ", ".join(full(v) for v in vals))
        if sig == "C":
            e("static const double W0[NX] = {%s};" % ", ".join(full(r.uniform(-1.5, 1.5)) for _ in range(nx)))
        if sig == "F":
            e("static const double Q0 = %s;" % full(r.uniform(-1.5, 1.5)))
        seeds = [rnd(float("%.3g" % r.uniform(-1, 1))) if init_shadow else 0.0 for _ in range(nx * len(arrays))]
        e("/* the shadows' initial values (the adjoints of the arrays after f) */")
        e("static const double SEED[NA * NX] = {%s};" % ", ".join(full(c) for c in seeds))
        if flt:
            e("/* f is float: the oracle of a float function (its rounding is ~1e-7) */")
            e("typedef float T;")
            e("#define ROUND(v) ((double)(float)(v))")
            e("#define EPS DBL_EPSILON /* the central differences are of the double twin */")
            e("#define AFLOOR (4 * FLT_EPSILON / H0) /* f's float rounding, in the gradient computed in float */")
            e("#define H0 0.1 /* larger steps: less rounding noise, and O(h^6) after extrapolation */")
            e("/* values of two runs of f: a float rounded differently (LLVM may fold an llvm.fmuladd")
            e(" * fused where the CPU computes it unfused, and a few ulps grow through cos or exp:")
            e(" * seed 110686, 3.5e-6) */")
            e("#define PTOL 1e-4")
            e("static const double TOL = %g, ERRK = %g, SMOOTH = %g;" % (shapes.FLOAT_TOL, ERRK, shapes.FLOAT_SMOOTH))
        else:
            e("typedef double T;")
            e("#define ROUND(v) (v)")
            e("#define EPS DBL_EPSILON")
            e("#define AFLOOR 0.0")
            e("#define H0 1e-2")
            e("#define PTOL 1e-12 /* values of two runs of f */")
            e("static const double TOL = %g, ERRK = %g, SMOOTH = %g;" % (TOL, ERRK, SMOOTH))
        e("static int extra_fail; /* a wrong value from ct_value_with_gradient/_pullback */")
        e("#define NSTEP %d /* central differences per component */" % NSTEP)
        e("")
        e("static void comp_name(int k, char *buf) {")
        e("  if (k < NX) snprintf(buf, 32, \"x[%d]\", k);")
        if sig == "D":
            e("  else if (k < 2 * NX) snprintf(buf, 32, \"y[%d]\", k - NX);")
        e("  else snprintf(buf, 32, \"%s\", k == NA * NX ? \"p\" : \"q\");")
        e("}")
        e("")
        e("/* f at the packed inputs v; the arrays after the call go to out */")
        e("static double call_f(const double *v, double *out) {")
        e("  T x[NX]%s;" % (", y[NX]" if sig == "D" else ""))
        e("  for (int k = 0; k < NX; k++)%s" % (" {" if sig == "D" else ""))
        e("    x[k] = (T)v[k];")
        if sig == "D":
            e("    y[k] = (T)v[NX + k];")
            e("  }")
        if sig == "C":
            e("  double w[NX];")
            e("  memcpy(w, W0, sizeof w);")
        pv = "(T)v[NA * NX]"
        qv = "(T)v[NA * NX + 1]"
        call = {
            "A": "f(x, NX, %s)" % pv,
            "B": "f(x, NX, %s, %s)" % (pv, qv),
            "C": "f(x, w, NX, %s)" % pv,
            "D": "f(x, y, NX, %s)" % pv,
            "E": "f(%s, x, NX)" % pv,
            "F": "f(x, NX, %s, Q0)" % pv,
        }[sig]
        e("  double r = %s;" % call)
        e("  if (out) {")
        e("    for (int k = 0; k < NX; k++)%s" % (" {" if sig == "D" else ""))
        e("      out[k] = x[k];")
        if sig == "D":
            e("      out[NX + k] = y[k];")
            e("    }")
        e("  }")
        e("  return r;")
        e("}")
        e("")
        if flt:
            twin = "\n".join(L[L.index("/* f at the packed inputs v; the arrays after the call go to out */"):])
            twin = twin.replace("static double call_f(", "static double call_f_fd(").replace("  T x[NX]", "  double x[NX]")
            twin = twin.replace("(T)v[", "(double)v[").replace("double r = f(", "double r = f_fd(")
            L += ["/* f's double twin at v (the float program's values), for the central differences */"]
            L += twin.split("\n")[1:]
        e("/* the gradient by reverse mode: the shadows start at SEED, so that they end")
        e(" * as the gradient of f + SEED . (arrays after f); these go to out */")
        e("static void call_grad(const double *v, double *g, double *out) {")
        if self.api != "enzyme":
            L += shapes.native_grad(self, pv, qv, r.random() < 0.6)
        else:
            L += self.enzyme_grad(dup, pv, qv)
        e("}")
        e("")
        if os.environ.get("CT_FUZZ_FORWARD") == "1" and self.api == "enzyme" and not flt:
            L += self.enzyme_fwd()
        e("/* what the gradient call differentiates */")
        e("static double objective(const double *v) {")
        e("  double out[NA * NX];")
        e("  double r = call_f%s(v, out);" % ("_fd" if flt else ""))
        e("  for (int k = 0; k < NA * NX; k++) r += SEED[k] * out[k];")
        e("  return r;")
        e("}")
        e("")
        e(HARNESS_MAIN % dict(seed=self.seed, twice=1 if twice else 0))
        return "\n".join(L)

    def enzyme_grad(self, dup, pv, qv):
        """call_grad's body by __enzyme_autodiff (double programs)."""
        sig = self.sig
        L = []
        e = L.append
        e("  double x[NX], dx[NX]%s;" % (", y[NX], dy[NX]" if sig == "D" else ""))
        e("  memcpy(x, v, sizeof x);")
        e("  memcpy(dx, SEED, sizeof dx);")
        if sig == "D":
            e("  memcpy(y, v + NX, sizeof y);")
            e("  memcpy(dy, SEED + NX, sizeof dy);")
        if sig == "C":
            e("  double w[NX];")
            e("  memcpy(w, W0, sizeof w);")
        acall = {
            "A": "double dp = __enzyme_autodiff((void *)f, %sx, dx, NX, %s);" % (dup, pv),
            "B": "D2 d = __enzyme_autodiff_d2((void *)f, %sx, dx, NX, %s, %s);" % (dup, pv, qv),
            "C": "double dp = __enzyme_autodiff((void *)f, enzyme_dup, x, dx, enzyme_const, w, NX, %s);" % pv,
            "D": "double dp = __enzyme_autodiff((void *)f, %sx, dx, %sy, dy, NX, %s);" % (dup, dup, pv),
            "E": "double dp = __enzyme_autodiff((void *)f, %s, %sx, dx, NX);" % (pv, dup),
            "F": "double dp = __enzyme_autodiff((void *)f, %sx, dx, NX, %s, enzyme_const, Q0);" % (dup, pv),
        }[sig]
        e("  " + acall)
        e("  memcpy(g, dx, sizeof dx);")
        if sig == "D":
            e("  memcpy(g + NX, dy, sizeof dy);")
        if sig == "B":
            e("  g[NA * NX] = d.a;")
            e("  g[NA * NX + 1] = d.b;")
        else:
            e("  g[NA * NX] = dp;")
        e("  if (out) {")
        e("    memcpy(out, x, sizeof x);")
        if sig == "D":
            e("    memcpy(out + NX, y, sizeof y);")
        e("  }")
        return L

    def enzyme_fwd(self):
        """call_fwd: the objective's directional derivative by __enzyme_fwddiff."""
        sig = self.sig
        L = ["#define FUZZ_FORWARD 1",
             "extern double __enzyme_fwddiff(void *, ...);",
             "/* the directional derivative of the objective along dir by forward mode:",
             " * f's tangent plus SEED . (the arrays' tangents after f) */",
             "static double call_fwd(const double *v, const double *dir) {",
             "  double x[NX], tx[NX]%s;" % (", y[NX], ty[NX]" if sig == "D" else ""),
             "  memcpy(x, v, sizeof x);",
             "  memcpy(tx, dir, sizeof tx);"]
        if sig == "D":
            L += ["  memcpy(y, v + NX, sizeof y);", "  memcpy(ty, dir + NX, sizeof ty);"]
        if sig == "C":
            L += ["  double w[NX];", "  memcpy(w, W0, sizeof w);"]
        p, q = "v[NA * NX], dir[NA * NX]", "v[NA * NX + 1], dir[NA * NX + 1]"
        args = {
            "A": "x, tx, NX, %s" % p,
            "B": "x, tx, NX, %s, %s" % (p, q),
            "C": "x, tx, enzyme_const, w, NX, %s" % p,
            "D": "x, tx, y, ty, NX, %s" % p,
            "E": "%s, x, tx, NX" % p,
            "F": "x, tx, NX, %s, enzyme_const, Q0" % p,
        }[sig]
        L += ["  double r = __enzyme_fwddiff((void *)f, %s);" % args,
              "  for (int k = 0; k < NX; k++)",
              "    r += SEED[k] * tx[k]%s;" % (" + SEED[NX + k] * ty[k]" if sig == "D" else ""),
              "  return r;",
              "}",
              ""]
        return L

    # ---------------------------------------------------------------- whole
    def program(self):
        r = self.r
        self.nval = r.randint(3, 7)
        self.sig = self.wpick([("A", 5), ("B", 1), ("C", 1), ("D", 1.2), ("E", 1), ("F", 1)])
        self.shapes = shapes.pick(self)
        self.lines = shapes.prelude(self)
        nh = self.wpick([(0, 2), (1, 3), (2, 3), (3, 2)])
        for k in range(nh):
            self.helper(k + 1)
        self.function()
        body = "\n".join(self.lines)
        if "float" in self.shapes:
            body = shapes.to_float(body) + "\n\n/* the oracle's double twin of the above */\n" + shapes.double_twin(body)
        self.features |= {"shape_" + s for s in self.shapes}
        if self.api != "enzyme":
            self.features.add("api_" + self.api)
        if self.wrt:
            self.features.add("wrt_list")
        head = [
            "/* Cotangent fuzz program, seed %d (test/fuzz/gen.py). Signature %s, n = %d." % (self.seed, self.sig, self.nval),
            " * Features: %s */" % " ".join(sorted(self.features)),
        ] + (["#define _POSIX_C_SOURCE 200112L /* posix_memalign */"] if "aligned" in self.shapes else []) + [
            "#include <float.h>",
            "#include <math.h>",
            "#include <stdio.h>",
            "#include <stdlib.h>",
            "#include <string.h>",
        ] + (["#include <cotangent.h>"] if self.shapes & {"custom", "api"} else []) + [
            "",
            "int enzyme_dup, enzyme_const;",
            "typedef struct { double a, b; } D2;",
            "extern double __enzyme_autodiff(void *, ...);",
            "extern D2 __enzyme_autodiff_d2(void *, ...);",
            "",
        ]
        return "\n".join(head) + "\n" + body + "\n" + self.harness() + "\n"


HARNESS_MAIN = r"""static double central(const double *v0, int k, double h) {
  double v[NV];
  memcpy(v, v0, sizeof v);
  volatile double t = ROUND(v0[k] + h);
  h = t - v0[k];
  v[k] = v0[k] + h;
  double fp = objective(v);
  volatile double tm = ROUND(v0[k] - h); /* a float step may not be symmetric */
  v[k] = tm;
  double fm = objective(v);
  return (fp - fm) / (t - tm);
}

/* d objective / d v[k]: central differences D_i at h_i = h0 / 2^i, each
 * extrapolated twice from its neighbours (Richardson: R_i from D_i..D_i+2,
 * error O(h^6)); the estimate is the R_i that changes least from R_i+1,
 * and that change is *err (the truncation of the large steps and, mostly,
 * the rounding of the small ones; a kink or a branch switch within the
 * steps keeps it large). *noise: the rounding of the objective (value fabs)
 * amplified by the estimate's smallest step, which *err may underestimate
 * by chance. A non-finite difference: *err = NaN. */
static double extrapolate(const double *v0, int k, double h0, double fabs_f, double *err, double *noise) {
  double D[NSTEP], R[NSTEP - 2], best = NAN;
  for (int i = 0; i < NSTEP; i++)
    D[i] = central(v0, k, h0 / (double)(1 << i));
  for (int i = 0; i + 2 < NSTEP; i++) {
    double a = (4 * D[i + 1] - D[i]) / 3, b = (4 * D[i + 2] - D[i + 1]) / 3;
    R[i] = (16 * b - a) / 15;
  }
  *err = INFINITY;
  for (int i = 0; i + 3 < NSTEP; i++) {
    double e = fabs(R[i] - R[i + 1]);
    if (!isfinite(R[i]) || !isfinite(R[i + 1])) {
      *err = NAN;
      return NAN;
    }
    if (e < *err) {
      *err = e;
      best = R[i + 1];
      *noise = 4 * EPS * fabs_f / (h0 / (double)(1 << (i + 3)));
    }
  }
  return best;
}

static int close_to(double a, double b, double tol) {
  return fabs(a - b) <= tol * fmax(1.0, fabs(b));
}

int main(void) {
  const int seed = %(seed)d;
  double v0[NV], g[NV], out_f[NA * NX], out_g[NA * NX];
  memcpy(v0, V0, sizeof v0);
  int ok = 0, skip = 0, fail = 0;
  double f0 = call_f(v0, out_f);
  if (!isfinite(f0) || !isfinite(objective(v0))) {
    printf("WRONG: f = %%g is not finite (the generator keeps it finite)\n", f0);
    printf("FUZZRESULT ok=0 skip=0 fail=%%d nonfinite=1\n", NV);
    return 1;
  }
  call_grad(v0, g, out_g);
  for (int k = 0; k < NA * NX; k++) {
    if (!(out_g[k] == out_f[k] || close_to(out_g[k], out_f[k], PTOL))) {
      char name[32];
      comp_name(k, name);
      printf("WRONG primal: %%s after the gradient call is %%.17g, after f %%.17g\n", name, out_g[k], out_f[k]);
      fail++;
    }
  }
  if (%(twice)d) {
    double g2[NV];
    call_grad(v0, g2, NULL);
    for (int k = 0; k < NV; k++) {
      if (!(g2[k] == g[k] || close_to(g2[k], g[k], PTOL))) {
        char name[32];
        comp_name(k, name);
        printf("WRONG second call: d/d%%s = %%.17g, first call %%.17g\n", name, g2[k], g[k]);
        fail++;
      }
    }
  }
  /* each component: a component whose estimate does not settle (err >
   * SMOOTH max(|fd|, 1)) lies at a kink or a branch switch: skipped; else
   * |ad - fd| <= TOL |fd| + ERRK max(err, noise), err the extrapolation's
   * own error estimate, noise the objective's rounding over the step (so an
   * exact 0 is checked to the noise of the differences), + AFLOOR |f| in
   * float programs (the gradient's own float rounding: their differences
   * are of the double twin) */
  double fabs_f = fabs(objective(v0));
  for (int k = 0; k < NV; k++) {
    double err, noise = 0, fd = extrapolate(v0, k, H0 * fmax(1.0, fabs(v0[k])), fabs_f, &err, &noise);
    if (err > SMOOTH * fmax(fabs(fd), 1.0)) /* a kink or a branch switch nearby: smaller steps */
      fd = extrapolate(v0, k, H0 * 1e-3 * fmax(1.0, fabs(v0[k])), fabs_f, &err, &noise);
    char name[32];
    comp_name(k, name);
    if (!isfinite(g[k]) || isnan(err)) {
      printf("WRONG d/d%%s: not finite (ad %%.17g, fd %%.17g)\n", name, g[k], fd);
      fail++;
    } else if (err > SMOOTH * fmax(fabs(fd), 1.0)) {
      printf("skip d/d%%s: not smooth here (ad %%.17g, fd %%.17g, err %%.3g)\n", name, g[k], fd, err);
      skip++;
    } else if (fabs(g[k] - fd) <= TOL * fabs(fd) + ERRK * fmax(err, noise) + AFLOOR * fabs_f) {
      ok++;
      printf("ok d/d%%s: ad %%.17g, fd %%.17g, err %%.3g, noise %%.3g, |ad - fd| %%.3g\n", name, g[k], fd, err,
             noise, fabs(g[k] - fd));
    } else {
      printf("WRONG d/d%%s: ad %%.17g, fd %%.17g (err %%.3g, noise %%.3g, |ad - fd| %%.3g)\n", name, g[k], fd, err,
             noise, fabs(g[k] - fd));
      fail++;
    }
  }
#ifdef FUZZ_FORWARD
  { /* forward mode: J v along a fixed direction against the gradient */
    double dir[NV], dot = 0, scale = 0;
    for (int k = 0; k < NV; k++) {
      dir[k] = sin(1.3 * k + 0.7);
      dot += g[k] * dir[k];
      scale += fabs(g[k] * dir[k]);
    }
    double jv = call_fwd(v0, dir);
    if (!(fabs(jv - dot) <= 1e-9 * scale + 1e-300)) {
      printf("WRONG forward mode: J v = %%.17g, gradient . v = %%.17g\n", jv, dot);
      fail++;
    } else {
      printf("ok forward mode: J v = %%.17g, gradient . v = %%.17g\n", jv, dot);
    }
  }
#endif
  fail += extra_fail;
  printf("seed %%d: f = %%.17g, %%d components: %%d ok, %%d skipped as non-smooth, %%d wrong\n", seed, f0, NV, ok,
         skip, fail);
  printf("FUZZRESULT ok=%%d skip=%%d fail=%%d nonfinite=0\n", ok, skip, fail);
  return fail ? 1 : 0;
}"""


def generate(seed):
    return Gen(seed).program()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("seed", type=int)
    ap.add_argument("-o", "--output", help="write the program here (default: stdout)")
    a = ap.parse_args()
    src = generate(a.seed)
    if a.output:
        with open(a.output, "w") as fh:
            fh.write(src)
    else:
        sys.stdout.write(src)


if __name__ == "__main__":
    main()
