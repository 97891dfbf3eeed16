"""Page-quality checkers shared by the browser tests: the Nu HTML Checker and axe-core."""

import json
import subprocess
from pathlib import Path

# A large thread stack: the checker recurses deeply on long comment threads (it overflowed the default one);
# C1-only compilation starts the short-lived JVM faster.
JAVA = ["java", "-Xss16m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]


def start_nu(jar: Path, files: list[Path]) -> subprocess.Popen:
    """Start the Nu HTML Checker on ``files`` (one JVM for all) and return at once; see ``nu_results``."""
    return subprocess.Popen(
        [*JAVA, "-jar", str(jar), "--errors-only", "--format", "json", *map(str, files)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def nu_results(process: subprocess.Popen) -> dict[str, list[str]]:
    """Errors per file name from a checker started with ``start_nu``; files without errors are left out."""
    stdout, stderr = process.communicate(timeout=300)
    if "StackOverflowError" in stderr + stdout:
        raise RuntimeError("vnu crashed with StackOverflowError")
    try:
        messages = json.loads(stderr or stdout or '{"messages": []}')["messages"]
    except ValueError as exc:
        raise RuntimeError(f"vnu gave no JSON (exit {process.returncode}): {stderr[:500]}") from exc
    errors: dict[str, list[str]] = {}
    for m in messages:
        if m.get("type") == "error" or m.get("subType") == "fatal":
            name = m.get("url", "").rsplit("/", 1)[-1]
            errors.setdefault(name, []).append(f"line {m.get('lastLine')}: {m.get('message')}")
    return errors


def nu_errors(jar: Path, files: list[Path]) -> dict[str, list[str]]:
    """Nu HTML Checker errors per file name (one JVM for all files)."""
    return nu_results(start_nu(jar, files))


def axe_results(page, axe_script: Path) -> list[tuple[str, str]]:
    """(impact, description) of every axe-core violation on the page as loaded."""
    page.add_script_tag(path=str(axe_script))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["impact"], f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}")
        for v in result["violations"]
    ]


def axe_violations(page, axe_script: Path, impacts=("serious", "critical")) -> list[str]:
    """axe-core violations of the given impacts on the page as loaded."""
    return [text for impact, text in axe_results(page, axe_script) if impact in impacts]


def has_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1")
