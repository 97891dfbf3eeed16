import pytest

from articles.sanitize import clean_body
from articles.templatetags.article_tags import sanitized

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x0D;ascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "<svg onload=alert(1)><circle/></svg>",
    '<iframe src="https://evil.example"></iframe>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<object data=x></object><embed src=x>",
    '<form action="https://evil.example"><input name=q></form>',
    "<math><mi xlink:href='javascript:alert(1)'>x</mi></math>",
    '<p><b onmouseover="alert(1)">bold</b></p>',
    "<<script>script>alert(1)<</script>/script>",
    "<div><style>body{display:none}</style></div>",
    "<!--<script>alert(1)</script>-->",
    '<a href="  javascript:alert(1)">x</a>',
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_html_is_neutralised(payload):
    cleaned = clean_body(payload).lower()
    for marker in (
        "<script",
        "onerror",
        "onload",
        "onmouseover",
        "javascript:",
        "vbscript:",
        "data:",
        "<iframe",
        "<svg",
        "<object",
        "<embed",
        "<form",
        "style=",
        "<style",
    ):
        assert marker not in cleaned, (payload, cleaned)


def test_allowed_markup_survives():
    html = (
        "<h2>Заглавие</h2><h3>Под</h3><p><strong>a</strong> <em>b</em> <b>c</b> <i>d</i><br></p>"
        '<ul><li>1</li></ul><ol><li>2</li></ol><blockquote>цитат</blockquote><a href="https://bta.bg/x">връзка</a>'
    )
    cleaned = clean_body(html)
    for tag in ("<h2>", "<h3>", "<strong>", "<em>", "<ul>", "<ol>", "<li>", "<blockquote>", "<br>"):
        assert tag in cleaned
    assert 'href="https://bta.bg/x"' in cleaned
    assert 'rel="noopener noreferrer"' in cleaned


def test_headings_outside_the_style_are_dropped_but_text_kept():
    assert clean_body("<h1>Голямо</h1><h5>малко</h5>") == "ГолямоМалко".replace("М", "м")


def test_render_filter_sanitises_even_unsanitised_stored_html():
    assert "<script" not in sanitized("<p>ok</p><script>alert(1)</script>")
