"""The shape the README's Architecture section promises: one-way imports, Whoosh behind the engine, small modules."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "newscli"
MODULES = sorted(SOURCE.rglob("*.py"))
MAX_LINES = 450


def name_of(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth of the file (imports inside functions too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names if is_module(f"{node.module}.{a.name}")}
    return found


def is_module(name: str) -> bool:
    """Whether a dotted name is one of newscli's modules (rather than a name defined in one)."""
    path = SOURCE.parent.joinpath(*name.split("."))
    return name.startswith("newscli.") and (path.with_suffix(".py").is_file() or (path / "__init__.py").is_file())


def test_whoosh_is_imported_only_by_its_backend() -> None:
    backend = SOURCE / "engine" / "whoosh"
    outside = {
        name_of(p): sorted(m for m in imports(p) if m.split(".")[0] == "whoosh")
        for p in MODULES
        if backend not in p.parents
    }
    assert {k: v for k, v in outside.items() if v} == {}


def test_the_rest_of_newscli_knows_only_the_engine_interface() -> None:
    engine = SOURCE / "engine"
    reaching_in = {
        name_of(p): sorted(m for m in imports(p) if m.startswith("newscli.engine."))
        for p in MODULES
        if engine not in p.parents
    }
    assert {k: v for k, v in reaching_in.items() if v} == {}


def test_models_import_nothing_of_newscli() -> None:
    assert sorted(m for m in imports(SOURCE / "models.py") if m.startswith("newscli")) == []


# From the top: what starts a command, the one way to run it, the command line, and the rest (the
# core, whose modules import one another). A module imports only from its own layer and those below.
LAYERS = (
    {"newscli.__main__", "newscli.main"},
    {"newscli.core"},
    {"newscli.cli", "newscli.context", "newscli.complete", "newscli.shells"}
    | {name_of(p) for p in (SOURCE / "commands").glob("*.py")},
)


def layer_of(name: str) -> int:
    return next((i for i, names in enumerate(LAYERS) if name in names), len(LAYERS))


def graph() -> dict[str, set[str]]:
    """newscli's modules and the modules of newscli each imports (a package's import counts for its __init__)."""
    names = {name_of(p) for p in MODULES}
    return {name_of(p): {m for m in imports(p) if m in names and m != name_of(p)} for p in MODULES}


def test_no_import_runs_back_up() -> None:
    upward = {
        module: sorted(m for m in imported if layer_of(m) < layer_of(module)) for module, imported in graph().items()
    }
    assert {module: up for module, up in upward.items() if up} == {}


def test_the_imports_draw_no_circle() -> None:
    """Imports inside functions too: a circle there is one the reader of the code has to follow."""
    edges = graph()
    circles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done

    def walk(module: str, path: list[str]) -> None:
        state[module] = 1
        for m in sorted(edges[module]):
            if m.startswith(module + "."):  # a package importing its own modules (its __init__'s re-exports)
                continue
            if state.get(m) == 1:
                circles.append(path[path.index(m) :] + [m])
            elif m not in state:
                walk(m, [*path, m])
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            walk(module, [module])
    assert circles == []


@pytest.mark.parametrize("path", MODULES, ids=name_of)
def test_no_module_is_over_450_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


@pytest.mark.slow
def test_every_module_imports_first_without_a_cycle() -> None:
    """Each module imported first, in a process of its own: an import cycle fails whichever side comes first."""
    names = [name_of(p) for p in MODULES if p.name != "__main__.py"]
    script = (
        "import importlib, subprocess, sys\n"
        "failed = []\n"
        "for name in sys.argv[1:]:\n"
        "    done = subprocess.run([sys.executable, '-c', f'import {name}'], capture_output=True, text=True)\n"
        "    if done.returncode:\n"
        "        failed.append((name, done.stderr.strip().splitlines()[-1]))\n"
        "print(failed)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, *names], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


INTERNALS = SOURCE / "engine" / "whoosh" / "internals"


def private_uses(path: Path) -> list[str]:
    """What a module reads or changes of another's private corners: `x._name` (but its own `self._name`),
    a `_name` imported from Whoosh, Whoosh's codec, and an attribute set on a class imported from Whoosh."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    from_whoosh: set[str] = set()
    own: set[str] = set()  # self._name that the module's classes set themselves
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "whoosh":
            from_whoosh |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            if isinstance(node.value, ast.Name) and node.value.id == "self":
                own.add(node.attr)
        elif isinstance(node, ast.FunctionDef):  # its classes' own methods
            own.add(node.name)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "whoosh":
            found += [f"import {node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
            found += [f"import {node.module}"] if ".codec" in (node.module or "") else []
        elif isinstance(node, ast.Attribute):
            private = node.attr.startswith("_") and not node.attr.startswith("__")
            base = node.value.id if isinstance(node.value, ast.Name) else None
            if private and not (base == "self" and node.attr in own):
                found.append(f"{ast.unparse(node)} (line {node.lineno})")
            if isinstance(node.ctx, ast.Store) and base in from_whoosh:
                found.append(f"{ast.unparse(node)} = ... (line {node.lineno})")
    return found


def test_whooshs_private_names_are_used_only_in_its_guarded_internals() -> None:
    """In the Whoosh backend (nothing else imports Whoosh: see above), outside internals/."""
    outside = [p for p in MODULES if SOURCE / "engine" / "whoosh" in p.parents and INTERNALS not in p.parents]
    assert {name_of(p): uses for p in outside if (uses := private_uses(p))} == {}
    # ... and there, where they are: the test can find them
    assert private_uses(INTERNALS / "postings.py") and private_uses(INTERNALS / "patches.py")


def test_the_internals_are_reached_through_their_guard() -> None:
    """Outside internals/, only the package (the guard, which loads them for a verified Whoosh) and `kept`
    (plain data) are imported: the rest is reached as `internals.NAME` where `internals.active()`."""
    allowed = {"newscli.engine.whoosh.internals", "newscli.engine.whoosh.internals.kept"}
    reaching = {
        name_of(p): sorted(
            m for m in imports(p) if m.startswith("newscli.engine.whoosh.internals") and m not in allowed
        )
        for p in MODULES
        if INTERNALS not in p.parents
    }
    assert {k: v for k, v in reaching.items() if v} == {}
