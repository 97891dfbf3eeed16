"""Lines of caching code before the caching package (commit 481f075) and now, counted the same way.

A line counts when it is not blank and carries Python other than a comment (tokenize decides, so a
``#`` inside a string is code, a blank line inside a docstring is not). Docstrings are counted, and also
given separately. Counted:

- before: articles/cache.py and portal/cache_breaker.py, whole, at 481f075, plus the functions elsewhere
  whose only job was caching (BEFORE_ELSEWHERE);
- now: caching/**/*.py in this tree, plus the functions elsewhere whose only job is caching (NOW_ELSEWHERE).

Functions that merely call the cache among other work (the context processor, the most-read boxes,
a view reading an article's id first) are counted on neither side.
"""

import ast
import io
import subprocess
import tokenize
from pathlib import Path

BEFORE = "481f075"
BEFORE_FILES = ["articles/cache.py", "portal/cache_breaker.py"]
BEFORE_ELSEWHERE = {
    "articles/signals.py": ["forget_navigation", "invalidate_pages"],
    "comments/services.py": ["_after_commit"],
    "comments/threads.py": ["_version_key", "bump_version", "thread_block"],
}
NOW_PACKAGE = "caching"
NOW_ELSEWHERE = {
    "articles/signals.py": ["site_changed", "content_changed"],
    "comments/signals.py": ["discussion_changed"],
    "comments/threads.py": ["thread_block"],
    "portal/views.py": ["csrf_token"],  # before, csrf_token_view lived in articles/cache.py
}
NOT_CODE = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}


def _lines(source: str) -> tuple[set[int], set[int]]:
    """(code lines, docstring lines) of ``source``."""
    code = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in NOT_CODE:
            code.update(range(token.start[0], token.end[0] + 1))
    code -= {number for number, line in enumerate(source.splitlines(), 1) if not line.strip()}  # in a string
    docs = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                docs.update(range(first.lineno, first.end_lineno + 1))
    return code, docs


def _span(source: str, names: list[str]) -> set[int]:
    """The lines of the module-level functions ``names``, decorators included."""
    spans = set()
    found = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in names:
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            spans.update(range(start, node.end_lineno + 1))
            found.add(node.name)
    missing = set(names) - found
    if missing:
        raise LookupError(f"not found: {sorted(missing)}")
    return spans


def _count(source: str, names: list[str] | None = None) -> dict:
    code, docs = _lines(source)
    if names is not None:
        span = _span(source, names)
        code, docs = code & span, docs & span
    return {"lines": len(code), "without docstrings": len(code - docs)}


def _add(total: dict, part: dict) -> None:
    for key, value in part.items():
        total[key] = total.get(key, 0) + value


def count(root: Path) -> dict:
    def show(path: str) -> str:
        return subprocess.run(
            ["git", "-C", str(root), "show", f"{BEFORE}:{path}"], capture_output=True, text=True, check=True
        ).stdout

    before, before_core, now, now_core = {}, {}, {}, {}
    for path in BEFORE_FILES:
        _add(before_core, _count(show(path)))
    _add(before, before_core)
    for path, names in BEFORE_ELSEWHERE.items():
        _add(before, _count(show(path), names))
    for path in sorted((root / NOW_PACKAGE).rglob("*.py")):
        _add(now_core, _count(path.read_text()))
    _add(now, now_core)
    for path, names in NOW_ELSEWHERE.items():
        _add(now, _count((root / path).read_text(), names))
    return {
        "before_core": before_core,
        "before": before,
        "now_core": now_core,
        "now": now,
        "before_elsewhere": BEFORE_ELSEWHERE,
        "now_elsewhere": NOW_ELSEWHERE,
    }


if __name__ == "__main__":
    print(count(Path(__file__).resolve().parent.parent))
