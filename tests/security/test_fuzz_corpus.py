"""RELIABILITY 50: every input atheris saved (tests/security/fuzz_corpus/<target>/) replayed through its oracle.

The oracle and the decoding of the bytes are tools/fuzz_renderers.py's own, so a corpus file fails
here exactly as it failed (or would fail) under the fuzzer. No database: the renderers are pure.
"""

from pathlib import Path

import pytest

from tools import fuzz_renderers as fuzz

pytest.importorskip("atheris", reason="atheris (requirements-dev.txt) decodes the corpus files")

FILES = sorted((target, path) for target in fuzz.TARGETS for path in (fuzz.CORPUS / target).iterdir())


def test_every_target_has_a_corpus():
    counts = {target: sum(1 for t, _ in FILES if t == target) for target in fuzz.TARGETS}
    assert all(n >= len(fuzz.SEEDS) for n in counts.values()), counts


@pytest.mark.parametrize(("target", "path"), FILES, ids=[f"{t}/{p.name}" for t, p in FILES])
def test_corpus_input_passes_the_oracle(target, path: Path):
    fuzz.check(target, path.read_bytes())


def test_seeds_decode_to_the_hostile_strings():
    for seed in fuzz.SEEDS:
        assert fuzz.decode("body", fuzz.encode("body", seed)) == (seed,)
        assert fuzz.decode("comment", fuzz.encode("comment", seed[:200], seed, 7)) == (seed[:200], seed, 7)


def test_the_oracle_catches_markup_and_bad_links(monkeypatch):
    """The oracle fails a renderer that lets markup or a javascript: link through."""
    import comments.text

    monkeypatch.setattr(comments.text, "body_html", lambda text: text)
    with pytest.raises(fuzz.OracleFailure, match="markup the renderer does not write"):
        fuzz.check_body_html("<img src=x onerror=alert(1)>")
    monkeypatch.setattr(comments.text, "body_html", lambda text: f'<a href="javascript:x" rel="nofollow">{text}</a>')
    with pytest.raises(fuzz.OracleFailure, match="not http"):
        fuzz.check_body_html("javascript:x")
    monkeypatch.setattr(comments.text, "body_html", lambda text: text.replace("&", "&amp;amp;"))
    with pytest.raises(fuzz.OracleFailure, match="read back differs"):
        fuzz.check_body_html("a & b")


def test_names_lose_invisible_tag_characters():
    """Found by the name target: tag characters (U+E0000-E007F) passed through clean_line."""
    assert fuzz.check_name("\U000e0041\U000e0042") is None  # nothing visible: no name
    assert fuzz.check_name("\U000e0041dmin") == "dmin"
    assert fuzz.check_name("Иван\U000e0067\u206a") == "Иван"
