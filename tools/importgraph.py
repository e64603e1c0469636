"""Check that imports between the console's packages run downward only.

    python -m tools.importgraph        exit 1 and one line per violation, else 0

Layers, top to bottom (docs/architecture.md):

    console      settings, URLs, ASGI, Celery app, the launcher
    frontend     pages
    clusters     cluster rows, discovery, the monitor, the mirror, cluster-wide config
    nodes, resources, fencing      one domain each (siblings: never each other)
    operations   the engine under every change
    hacore       Django-free: parsers, DTOs, command lines, the runner

A module may import its own package and any package of a lower layer, never one of a
higher layer nor a sibling of its own layer. hacore imports no web framework at all. No
view module (views.py, actions.py, config.py or a module in an `api` package) imports
the runner, asyncssh or lxml: views call services.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LAYERS: list[set[str]] = [
    {"console"},
    {"frontend"},
    {"clusters"},
    {"nodes", "resources", "fencing"},
    {"operations"},
    {"hacore"},
]
PACKAGES = {name for layer in LAYERS for name in layer}
FRAMEWORKS = {"django", "rest_framework", "channels", "celery", "daphne", "drf_spectacular"}
VIEW_FORBIDDEN = {"hacore.runner", "asyncssh", "lxml"}


@dataclass(frozen=True)
class Violation:
    """One import that breaks the rules."""

    path: Path
    line: int
    imported: str
    why: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: imports {self.imported}: {self.why}"


def layer_of(package: str) -> int:
    """The index of package's layer (0 is the top)."""
    return next(i for i, layer in enumerate(LAYERS) if package in layer)


def imports(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, dotted module) of every absolute import in the tree."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:  # `from hacore import runner` names a module too
                yield node.lineno, f"{node.module}.{alias.name}"


def is_view(path: Path) -> bool:
    """Whether the module answers HTTP requests."""
    return "api" in path.parts or path.name in ("views.py", "ops_views.py", "actions.py")


def check_module(path: Path, root: Path = REPO) -> list[Violation]:
    """The violations of one module (path inside root, the repository)."""
    relative = path.relative_to(root)
    package = relative.parts[0]
    tree = ast.parse(path.read_text(), str(path))
    found: dict[tuple[int, str], Violation] = {}  # one per statement and reason
    for line, module in imports(tree):
        for why in reasons(package, is_view(relative), module):
            found.setdefault((line, why), Violation(relative, line, module, why))
    return list(found.values())


def reasons(package: str, view: bool, module: str) -> list[str]:
    """Why package (in a view module or not) may not import module (none: it may)."""
    top = module.split(".", maxsplit=1)[0]
    why = []
    if top in PACKAGES and top != package:
        if layer_of(top) < layer_of(package):
            why.append(f"{top} is above {package}")
        elif layer_of(top) == layer_of(package):
            why.append(f"{top} is a sibling of {package}")
    if package == "hacore" and top in FRAMEWORKS:
        why.append("hacore must not use a web framework")
    if view and any(module == f or module.startswith(f"{f}.") for f in VIEW_FORBIDDEN):
        why.append("a view must call a service instead")
    return why


def modules() -> Iterator[Path]:
    """Every Python module of the console's packages (migrations included)."""
    for package in sorted(PACKAGES):
        yield from sorted((REPO / package).rglob("*.py"))


def check() -> list[Violation]:
    """Every violation in the repository."""
    return [v for path in modules() for v in check_module(path)]


def main() -> int:
    """Print the violations; 1 if there are any."""
    found = check()
    for violation in found:
        print(violation)
    if not found:
        print(f"imports run downward: {sum(1 for _ in modules())} modules checked")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
