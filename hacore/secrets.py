"""Secrets that never leave: which parameters are secret, and the one redactor that masks
them in argv, CIB XML, patchsets, pcs output and free text.

A parameter is secret when its name says so (password, passwd, secret, community,
token, *_key ...: `is_secret_name`), when the agent's metadata marks it private, or when
the caller names it. What the console shows, records or exports goes through
`Redactor`: `k=v` arguments, `<nvpair name="k" value="v"/>` elements, crm_diff
`<change-attr name="value" value="v"/>` under a path that names a secret, JSON
`"token": "v"` members, and every literal secret value it was given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

MASK = "***"

# Names of parameters whose values are secrets: fence agents' password/passwd and
# *_script variants, snmp community and privacy passwords, cloud keys, tokens.
_SECRET_NAME = re.compile(
    r"(passw|passphrase|secret|community|token|credential|(^|[_-])key$|^key)",
    re.IGNORECASE,
)
# Names that look secret but hold a path or a switch, not the secret itself.
_NOT_SECRET = re.compile(r"(_script|_file|_path|_prot|_protocol)$", re.IGNORECASE)


def is_secret_name(name: str) -> bool:
    """Whether a parameter called name holds a secret (by its name alone)."""
    return bool(_SECRET_NAME.search(name)) and not _NOT_SECRET.search(name)


_NVPAIR = re.compile(r"<nvpair\b[^>]*>")
_ATTR = re.compile(r'\b(name|value)=(["\'])(.*?)\2', re.DOTALL)
_CHANGE = re.compile(r"<change\b[^>]*\bpath=([\"'])(.*?)\1[^>]*>.*?</change>", re.DOTALL)
_CHANGE_VALUE = re.compile(r'(<change-attr\b[^>]*\bname="value"[^>]*\bvalue=")([^"]*)(")')
_PAIR = re.compile(r"(?<![\w.:-])([A-Za-z_][\w.:-]*)=(\"[^\"]*\"|'[^']*'|\S+)")
_JSON_MEMBER = re.compile(r'("([A-Za-z_][\w.-]*)"\s*:\s*")((?:[^"\\]|\\.)*)(")')
_ID_IN_PATH = re.compile(r"@id=['\"]([^'\"]+)['\"]")


@dataclass(frozen=True)
class Redactor:
    """Masks secrets: by parameter name (the rule, plus `names`) and by literal value."""

    names: frozenset[str] = frozenset()
    values: frozenset[str] = field(default=frozenset(), repr=False)

    def secret(self, name: str) -> bool:
        """Whether a parameter called name is secret for this redactor."""
        return name in self.names or is_secret_name(name)

    def with_values(self, values: Iterable[str]) -> Redactor:
        """The same redactor, also masking these literal values (empty ones ignored)."""
        return Redactor(self.names, self.values | {v for v in values if v})

    def params(self, params: Mapping[str, str]) -> dict[str, str]:
        """A parameter mapping with secret values masked (an empty value stays empty)."""
        return {k: (MASK if v and self.secret(k) else v) for k, v in params.items()}

    def argv(self, argv: Sequence[str]) -> list[str]:
        """An argv list with every secret `k=v` argument (and literal) masked."""
        return [self.arg(a) for a in argv]

    def arg(self, arg: str) -> str:
        """One argument: `k=v` with a secret k becomes `k=***`; an argument that is
        itself text (a patchset given with --xml-text) is masked as text."""
        key, sep, value = arg.partition("=")
        if sep and value and self.secret(key):
            return f"{key}={MASK}"
        return self.text(arg)

    def text(self, text: str) -> str:
        """Free text (pcs output, CIB XML, a patchset, a diff, JSON) with secrets masked."""
        if not text:
            return text
        out = _NVPAIR.sub(self._nvpair, text)
        out = _CHANGE.sub(self._change, out)
        out = _PAIR.sub(self._pair, out)
        out = _JSON_MEMBER.sub(self._json_member, out)
        return self._literals(out)

    def _literals(self, text: str) -> str:
        for value in sorted(self.values, key=len, reverse=True):
            text = text.replace(value, MASK)
        return text

    def _nvpair(self, match: re.Match[str]) -> str:
        tag = match.group(0)
        attrs = {m.group(1): m.group(3) for m in _ATTR.finditer(tag)}
        if not self.secret(attrs.get("name", "")):
            return tag
        return _ATTR.sub(
            lambda m: f"value={m.group(2)}{MASK}{m.group(2)}" if m.group(1) == "value" else m[0],
            tag,
        )

    def _change(self, match: re.Match[str]) -> str:
        ids = _ID_IN_PATH.findall(match.group(2))
        if not any(self.secret(i.rsplit("-", 1)[-1]) for i in ids):
            return match.group(0)
        return _CHANGE_VALUE.sub(lambda m: f"{m[1]}{MASK}{m[3]}", match.group(0))

    def _pair(self, match: re.Match[str]) -> str:
        if not self.secret(match.group(1)) or match.group(2) in ("", MASK, f'"{MASK}"'):
            return match.group(0)
        value = match.group(2)
        if value[:1] in "\"'" and value.endswith(value[0]) and len(value) > 1:
            return f"{match.group(1)}={value[0]}{MASK}{value[0]}"
        return f"{match.group(1)}={MASK}"

    def _json_member(self, match: re.Match[str]) -> str:
        if not self.secret(match.group(2)) or not match.group(3):
            return match.group(0)
        return f"{match.group(1)}{MASK}{match.group(4)}"


DEFAULT = Redactor()


def secret_args(argv: Sequence[str], names: Iterable[str] = ()) -> tuple[str, ...]:
    """The `k=v` arguments of argv whose k is secret (by the rule or in names)."""
    redactor = Redactor(frozenset(names))
    found = []
    for arg in argv:
        key, sep, value = arg.partition("=")
        if sep and value and redactor.secret(key):
            found.append(arg)
    return tuple(found)
