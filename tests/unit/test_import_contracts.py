"""The import-linter contracts of pyproject.toml (layers, features through services, a pure domain, no cycles)."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
# The console script of the same environment as the tests (make test installs it from requirements-dev.txt).
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_every_contract_has_an_id():
    assert all(contract.get("id") for contract in CONTRACTS)


@pytest.mark.parametrize("contract", CONTRACTS, ids=[contract.get("id", "?") for contract in CONTRACTS])
def test_contract_is_kept(contract):
    assert LINT_IMPORTS.exists(), f"{LINT_IMPORTS} is missing: install requirements-dev.txt"
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", "--contract", contract["id"]],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, f"{contract['name']}: broken\n{result.stdout}{result.stderr}"
