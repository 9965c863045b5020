"""Reads the derivative rule table of pass/rules.c (the RULES array) for
the coverage check (coverage.py) and the mutation run (mutate_rules.py).

Each row: its callee names (or its instruction opcode) and, per operand,
the adjoint expression (reverse Polish, see pass/rules.h) or None, with the
source span of that element so that a mutant can replace it."""
import re

OPCODES = {
    "LLVMFAdd": "fadd", "LLVMFSub": "fsub", "LLVMFMul": "fmul", "LLVMFDiv": "fdiv",
    "LLVMFRem": "frem", "LLVMFNeg": "fneg", "LLVMFPExt": "fpext", "LLVMFPTrunc": "fptrunc",
    "LLVMSelect": "select",
}

_TOKEN = re.compile(r'\s+|/\*.*?\*/|//[^\n]*|"(?:[^"\\]|\\.)*"|[A-Za-z_]\w*|\d[\w.]*|.', re.S)


class Row:
    def __init__(self, names, opcode, nops, adjoints, spans):
        self.names = names          # list of callee names, or [] for an opcode row
        self.opcode = opcode        # IR opcode name ("fadd"), or None
        self.nops = nops
        self.adjoints = adjoints    # per operand: expression string or None
        self.spans = spans          # per operand: (start, end) in the source

    @property
    def label(self):
        return self.opcode if self.opcode else self.names[0]


def _macros(src):
    return {m.group(1): m.group(2) for m in re.finditer(r'^#define\s+(\w+)\s+"([^"]*)"', src, re.M)}


def _tokens(src, start, end):
    pos = start
    while pos < end:
        m = _TOKEN.match(src, pos)
        tok = m.group(0)
        if not (tok.isspace() or tok.startswith("/*") or tok.startswith("//")):
            yield tok, m.start(), m.end()
        pos = m.end()


def parse(path):
    """Returns (source text, [Row]) of the RULES array in `path`."""
    src = open(path).read()
    macros = _macros(src)
    head = re.search(r"static const ct_rule RULES\[\]\s*=\s*\{", src)
    if not head:
        raise SystemExit("%s: no RULES array" % path)
    toks = list(_tokens(src, head.end(), len(src)))
    rows, i = [], 0

    def element(i):
        """A field: NULL, an identifier or number, or string literals and
        string macros (concatenated). Returns (value, start, end, next index)."""
        first = i
        while toks[i][0] not in (",", "}"):
            i += 1
        field = [t for t, _, _ in toks[first:i]]
        start, end = toks[first][1], toks[i - 1][2]
        if field == ["NULL"]:
            return None, start, end, i
        if all(t.startswith('"') or t in macros for t in field):
            return "".join(t[1:-1] if t.startswith('"') else macros[t] for t in field), start, end, i
        assert len(field) == 1, "rules.c: cannot read the field %r" % field
        return field[0], start, end, i

    while True:
        t = toks[i][0]
        if t == "}":
            break
        if t == ",":
            i += 1
            continue
        assert t == "{", "rules.c: unexpected %r in RULES" % t
        i += 1
        names, _, _, i = element(i)
        i += 1  # ,
        opcode, _, _, i = element(i)
        i += 1
        nops, _, _, i = element(i)
        i += 1
        assert toks[i][0] == "{"
        i += 1
        adjoints, spans = [], []
        while toks[i][0] != "}":
            if toks[i][0] == ",":
                i += 1
                continue
            value, s, e, i = element(i)
            adjoints.append(value)
            spans.append((s, e))
        i += 1  # inner }
        while toks[i][0] != "}":
            i += 1
        i += 1  # row }
        n = int(nops)
        adjoints += [None] * (n - len(adjoints))
        rows.append(Row(names.split() if names else [], OPCODES.get(opcode) if not names else None,
                        n, adjoints[:n], spans[:n] + [None] * (n - len(spans))))
    for r in rows:
        if not r.names and not r.opcode:
            raise SystemExit("%s: a row with neither names nor a known opcode" % path)
    return src, rows
