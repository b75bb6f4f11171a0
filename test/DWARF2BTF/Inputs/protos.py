#!/usr/bin/env python3
"""Print each FUNC of a raw BTF dump (llvm-btf-split --dump, bpftool's
format) as a C-like prototype, one per line, sorted: 'name: ret (type p, ...)'.
Type IDs differ between compilers; the prototypes do not."""
import re
import sys

types = {}
cur = None
for line in sys.stdin:
    m = re.match(r"\[(\d+)\] (\w+) '([^']*)'(.*)", line)
    if m:
        cur = {"kind": m.group(2), "name": m.group(3), "rest": m.group(4),
               "params": []}
        types[int(m.group(1))] = cur
        continue
    m = re.match(r"\s+'([^']*)' type_id=(\d+)", line)
    if m and cur is not None:
        cur["params"].append((m.group(1), int(m.group(2))))


def field(t, key):
    m = re.search(key + r"=(\d+)", t["rest"])
    return int(m.group(1)) if m else 0


def name(tid, depth=0):
    if tid == 0 or depth > 32:
        return "void"
    t = types[tid]
    k = t["kind"]
    if k in ("STRUCT", "UNION", "ENUM", "ENUM64"):
        return k.lower().rstrip("64") + " " + t["name"]
    if k == "PTR":
        return name(field(t, "type_id"), depth + 1) + " *"
    if k in ("CONST", "VOLATILE", "RESTRICT"):
        return k.lower() + " " + name(field(t, "type_id"), depth + 1)
    if k == "TYPE_TAG":
        return name(field(t, "type_id"), depth + 1)
    if k == "FUNC_PROTO":
        return "fn"
    return t["name"]


out = set()
for tid, t in types.items():
    if t["kind"] != "FUNC":
        continue
    proto = types[field(t, "type_id")]
    params = ", ".join((name(pt) + ("" if name(pt).endswith("*") else " ") +
                        pn).strip() for pn, pt in proto["params"])
    out.add("%s: %s (%s)" % (t["name"], name(field(proto, "ret_type_id")),
                             params))
print("\n".join(sorted(out)))
