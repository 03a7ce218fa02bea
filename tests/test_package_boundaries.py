"""No domain package imports another domain package's API shapes or routes (schemas, endpoints,
views, api): what two packages both answer with lives a level below them (a service's own
`schemas.py`, or a package the others build on, like the ledger's `postings`), so changing one
package's API cannot silently change another's."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
API_MODULES = {"schemas", "endpoints", "views", "api"}
# packages others are built on, a level below them (their shapes are shared on purpose)
BELOW = {"ar_ledger": {"postings", "erp_files"}}
# collections is being rebuilt package by package (issue 12); it joins once its packages settle
SERVICES = ("ledger", "credit", "notifications")


def packages() -> list[Path]:
    return sorted(p.parent for s in SERVICES for p in ROOT.glob(f"services/{s}/src/ar_*/*/__init__.py"))


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


@pytest.mark.parametrize("package", packages(), ids=lambda p: f"{p.parent.name}.{p.name}")
def test_no_package_imports_another_packages_api_shapes(package: Path) -> None:
    service, own = package.parent.name, package.name
    crossings = []
    for path in sorted(package.rglob("*.py")):
        for module in imported_modules(path):
            parts = module.split(".")
            if len(parts) < 3 or parts[0] != service or parts[1] in {own, *BELOW.get(service, set())}:
                continue
            if parts[2] in API_MODULES:
                crossings.append(f"{path.relative_to(ROOT)} imports {module}")
    assert crossings == []
