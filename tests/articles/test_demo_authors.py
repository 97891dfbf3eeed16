"""Demo portraits for the demo authors (articles/demo_authors.py)."""

from io import StringIO

import pytest
from django.core.files.storage import default_storage

from articles import demo_authors
from articles.demo_content import AUTHORS
from articles.models import Author, Image
from tests.factories import ImageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_authors_rows():
    return [Author.objects.create(slug=slug, name=name, bio=bio) for slug, (name, bio) in AUTHORS.items()]


def test_every_demo_author_gets_a_drawn_portrait_with_renditions_once(demo_authors_rows):
    demo_authors.seed(stdout=StringIO())
    authors = list(Author.objects.select_related("photo"))
    assert all(a.photo is not None for a in authors)
    for author in authors:
        photo = author.photo
        assert photo.caption == f"Портрет: {author.name}" and photo.alt_text == author.name
        assert (photo.width, photo.height) == (640, 640) and sorted(photo.renditions) == ["320", "640"]
        assert all(default_storage.exists(name) for name in [photo.file.name, *photo.renditions.values()])
    assert len({a.photo.file.name for a in authors}) == len(AUTHORS)

    out = StringIO()
    demo_authors.seed(stdout=out)  # a second run draws nothing
    assert Image.objects.count() == len(AUTHORS) and "0 portraits drawn" in out.getvalue()


def test_a_photo_chosen_by_an_editor_is_kept(demo_authors_rows):
    chosen = ImageFactory(caption="Снимка от редакцията")
    Author.objects.filter(pk=demo_authors_rows[0].pk).update(photo=chosen)
    demo_authors.seed(stdout=StringIO())
    assert Author.objects.get(pk=demo_authors_rows[0].pk).photo == chosen
    assert Image.objects.count() == len(AUTHORS)


def test_reset_removes_the_portraits_and_their_files(demo_authors_rows, django_capture_on_commit_callbacks):
    demo_authors.seed(stdout=StringIO())
    files = [n for i in Image.objects.all() for n in [i.file.name, *i.renditions.values()]]
    with django_capture_on_commit_callbacks(execute=True):
        demo_authors.reset(stdout=StringIO())
    assert not Image.objects.exists() and not Author.objects.filter(photo__isnull=False).exists()
    assert not any(default_storage.exists(name) for name in files)


def test_the_portrait_is_a_figure_on_a_coloured_ground():
    picture = demo_authors.draw_portrait("ralitsa-doncheva")
    assert picture.size == (640, 640)
    assert len(picture.getcolors(64) or []) >= 5  # ground, clothes, skin, hair, eyes at least
    assert demo_authors.draw_portrait("ralitsa-doncheva").tobytes() == picture.tobytes()
