import pytest

from comments.forms import CommentForm
from tests.comments.conftest import comment_data


@pytest.mark.parametrize(
    "name",
    [
        "admin",
        "ADMIN",
        "\u0430dmin",  # Cyrillic "а"
        "\u0430d\u043cin",  # Cyrillic "а" and "м"
        "Peдaкцията",  # Latin "P", "e", "a"
        "PEДAKЦИЯTA",
        "M0DERATOR",
        "a.d.m.i.n",
        "Вестник",
        "Vestnik\u200b",
    ],
)
def test_reserved_names_are_refused_in_look_alike_letters(article, name):
    form = CommentForm(comment_data(article, author_name=name), article=article)
    assert not form.is_valid()
    assert [e.code for e in form.errors.as_data()["author_name"]] == ["reserved"]


@pytest.mark.parametrize("name", ["Иван Петров", "Maria", "Admiral", "Модератор на спорта", "Kosta", "Ана"])
def test_ordinary_names_are_not_taken_for_reserved_ones(article, name):
    form = CommentForm(comment_data(article, author_name=name), article=article)
    assert form.is_valid(), form.errors
