"""A deterministic YAML emitter for the small subset the mixin produces.

Why not PyYAML: the renderer must run on a clean machine with nothing but python3, and its output must
be byte-identical on every run (the test re-renders and compares). Supported values: dict (key order
kept), list, str, int, float, bool. Strings are single-quoted (only ' needs escaping, as ''), strings
containing a newline become literal block scalars (|-), so PromQL and Go templates stay readable.
"""

import re

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")


def _key(k):
    if not isinstance(k, str):
        raise TypeError(f"keys must be strings, got {k!r}")
    return k if _PLAIN_KEY.match(k) else _quote(k)


def _quote(s):
    return "'" + s.replace("'", "''") + "'"


def _scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, str):
        if "\n" in v:
            raise ValueError("multi-line strings are emitted as blocks, not scalars")
        return _quote(v)
    raise TypeError(f"unsupported value {v!r}")


def _block(s, indent):
    pad = " " * indent
    lines = s.rstrip("\n").split("\n")
    return " |-\n" + "\n".join((pad + line) if line else "" for line in lines)


def _emit(v, indent, out):
    pad = " " * indent
    if isinstance(v, dict):
        if not v:
            raise ValueError("empty mappings are not emitted")
        for k, item in v.items():
            _emit_entry(pad + _key(k) + ":", item, indent, out)
    elif isinstance(v, list):
        for item in v:
            if isinstance(item, dict) and item:
                first = True
                for k, sub in item.items():
                    prefix = (pad + "- ") if first else (pad + "  ")
                    _emit_entry(prefix + _key(k) + ":", sub, indent + 2, out)
                    first = False
            elif isinstance(item, (dict, list)):
                raise ValueError("nested empty or list-in-list values are not supported")
            else:
                out.append(pad + "- " + _scalar(item))
    else:
        raise TypeError(f"top level must be a mapping or a list, got {v!r}")


def _emit_entry(head, v, indent, out):
    if isinstance(v, dict):
        if not v:
            out.append(head + " {}")
            return
        out.append(head)
        _emit(v, indent + 2, out)
    elif isinstance(v, list):
        if not v:
            out.append(head + " []")
            return
        out.append(head)
        _emit(v, indent, out)
    elif isinstance(v, str) and "\n" in v:
        out.append(head + _block(v, indent + 2))
    else:
        out.append(head + " " + _scalar(v))


def dumps(value, header=None):
    """Returns the YAML text of value, with header lines as comments on top."""
    out = []
    if header:
        for line in header.strip("\n").split("\n"):
            out.append(("# " + line) if line else "#")
    _emit(value, 0, out)
    return "\n".join(out) + "\n"
