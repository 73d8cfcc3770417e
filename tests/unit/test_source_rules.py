"""Rules the whole code base keeps, checked on its source (docs/SECURITY.md): page scripts put text into the page
as text, nothing runs strings as code or starts a shell, and no disallowed hash (MD5) or legacy one (SHA-1) does a
cryptographic job."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((ROOT / "static" / "js").rglob("*.js")) + sorted((ROOT / "templates").rglob("*.js"))
PYTHON = sorted((ROOT / "coach").rglob("*.py"))

# ASVS 3.2.2: text goes in with textContent / createTextNode; markup from strings never.
HTML_SINKS = re.compile(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML\s*\(|document\.write(ln)?\s*\(")
# ASVS 1.3.2: no string is run as code.
JS_EVAL = re.compile(r"\beval\s*\(|new\s+Function\s*\(|set(Timeout|Interval)\s*\(\s*['\"`]")
PY_EVAL = re.compile(r"(?<![\w.])(eval|exec)\s*\(|pickle\.loads?\s*\(")
# ASVS 1.2.5: no operating system command is built from anything.
PY_SHELL = re.compile(r"\bsubprocess\b|os\.(system|popen|exec\w*|spawn\w*)\s*\(")
# ASVS 11.4.1 (Appendix C): MD5 is disallowed and SHA-1 legacy.
PY_WEAK_HASH = re.compile(r"hashlib\.(md5|sha1)\b|new\(\s*['\"](md5|sha1)['\"]")


def _hits(files, pattern) -> list[str]:
    found = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_the_checks_have_files_to_read():
    assert len(SCRIPTS) > 10 and len(PYTHON) > 50


@pytest.mark.parametrize(("files", "pattern"), [
    (SCRIPTS, HTML_SINKS), (SCRIPTS, JS_EVAL), (PYTHON, PY_EVAL), (PYTHON, PY_SHELL), (PYTHON, PY_WEAK_HASH),
], ids=["html-from-strings", "js-eval", "py-eval", "os-commands", "weak-hashes"])
def test_the_code_base_keeps_the_rule(files, pattern):
    assert _hits(files, pattern) == []


@pytest.mark.parametrize(("pattern", "line"), [
    (HTML_SINKS, "box.innerHTML = message;"),
    (HTML_SINKS, "list.insertAdjacentHTML('beforeend', row)"),
    (JS_EVAL, "setTimeout('tick()', 10)"),
    (PY_EVAL, "value = eval(text)"),
    (PY_SHELL, "os.system(command)"),
    (PY_WEAK_HASH, "digest = hashlib.md5(body).hexdigest()"),
])
def test_each_check_catches_what_it_is_for(pattern, line):
    assert pattern.search(line)
