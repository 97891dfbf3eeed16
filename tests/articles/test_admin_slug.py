"""The admin's slug prefill (static/js/admin-slug.js) must transliterate exactly like articles/translit.py."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from articles.translit import EXCEPTIONS, TABLE, slugify_bg

JS = Path(__file__).resolve().parents[2] / "static" / "js" / "admin-slug.js"

VECTORS = [
    "София",
    "България",
    "Юлия",
    "Вилияна",
    "щастие",
    "ъгъл",
    "джудже",
    "Цар",
    "Йордан",
    "Щъркелите в България се завръщат",
    "Азербайджан и Армения: 5 нови (споразумения)!",
    "  Ще има ли сняг в БЪЛГАРИЯ — „прогнозата“ ѝ казва  ",
    "Café Ñandú & Co",
    "Станция №1_тест",
    "Милия ни мила Мария, Ия",
]


def js_object(name: str) -> dict[str, str]:
    """The string-to-string object literal assigned to ``const <name>`` in the JS file."""
    source = JS.read_text(encoding="utf-8")
    body = re.search(rf"const {name} = \{{(.*?)\}};", source, re.S).group(1)
    return dict(re.findall(r'"([^"]+)":\s*"([^"]*)"', body))


def test_the_js_table_is_the_python_table():
    assert js_object("TABLE") == TABLE


def test_the_js_exceptions_are_the_python_exceptions():
    assert js_object("EXCEPTIONS") == EXCEPTIONS


def test_the_js_handles_the_ia_ending_like_python():
    source = JS.read_text(encoding="utf-8")
    assert 'w.endsWith("ия")' in source and '+ "ia"' in source


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_js_slug_equals_the_python_slug_for_every_vector():
    script = (
        f"const {{ slugifyBg }} = require({json.dumps(str(JS))});"
        "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "process.stdout.write(JSON.stringify(input.map((t) => slugifyBg(t, 194))));"
    )
    result = subprocess.run(
        ["node", "-e", script], input=json.dumps(VECTORS), capture_output=True, text=True, timeout=30, check=True
    )
    assert json.loads(result.stdout) == [slugify_bg(text, max_length=194) for text in VECTORS]
