"""Page-quality checkers shared by the browser tests: the Nu HTML Checker and axe-core."""

import json
import subprocess
from pathlib import Path


def nu_errors(jar: Path, files: list[Path]) -> dict[str, list[str]]:
    """Nu HTML Checker errors per file (one JVM for all files)."""
    result = subprocess.run(
        ["java", "-Xss16m", "-jar", str(jar), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if "StackOverflowError" in result.stderr + result.stdout:
        raise RuntimeError("vnu crashed with StackOverflowError")
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors: dict[str, list[str]] = {str(f): [] for f in files}
    for m in messages:
        if m.get("type") == "error" or m.get("subType") == "fatal":
            where = m.get("url", "").removeprefix("file:")
            errors.setdefault(where, []).append(f"line {m.get('lastLine')}: {m.get('message')}")
    return {k: v for k, v in errors.items() if v}


def axe_violations(page, axe_script: Path, impacts=("serious", "critical")) -> list[str]:
    """axe-core violations of the given impacts on the page as loaded."""
    page.add_script_tag(path=str(axe_script))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def has_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1")
