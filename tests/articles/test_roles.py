import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError

from articles import demo_accounts
from articles.models import Author
from articles.roles import (
    AUTHOR,
    EDITOR,
    GROUP_NAMES,
    MODERATOR,
    RESERVED_USERNAMES,
    ROLE_PERMISSIONS,
    can_edit_article,
    can_preview_article,
    sync_roles,
)
from tests.factories import ArticleFactory, newsroom_user

pytestmark = pytest.mark.django_db


def codenames(group_name):
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_migrate_creates_the_three_newsroom_groups():
    # No sync_roles() here: the data migration (and post_migrate) must have done it.
    assert set(Group.objects.values_list("name", flat=True)) >= {"Автори", "Редактори", "Модератори"}


def test_authors_write_articles_but_cannot_publish_or_delete():
    perms = codenames("Автори")
    assert {"articles.add_article", "articles.change_article", "articles.view_article"} <= perms
    assert {"articles.add_image", "articles.view_tag", "articles.view_section"} <= perms
    assert "articles.publish_article" not in perms
    assert "articles.delete_article" not in perms
    assert not any(p.startswith("comments.") for p in perms)


def test_editors_run_every_editorial_model_and_publish():
    perms = codenames("Редактори")
    for model in ("article", "section", "tag", "source", "author", "image"):
        for action in ("add", "change", "delete", "view"):
            assert f"articles.{action}_{model}" in perms
    assert "articles.publish_article" in perms


def test_moderators_get_every_comments_permission_and_nothing_on_articles():
    perms = codenames("Модератори")
    comment_perms = {
        f"comments.{codename}"
        for codename in Permission.objects.filter(content_type__app_label="comments").values_list("codename", flat=True)
    }
    assert comment_perms, "the comments app defines models"
    assert perms == comment_perms
    assert not any(p.startswith("articles.") for p in perms)


def test_sync_roles_restores_a_removed_permission_and_is_idempotent():
    group = Group.objects.get(name="Редактори")
    group.permissions.remove(Permission.objects.get(codename="publish_article"))
    sync_roles()
    sync_roles()
    assert "articles.publish_article" in codenames("Редактори")
    assert Group.objects.filter(name__in=GROUP_NAMES.values()).count() == 3


def test_every_permission_in_the_spec_exists():
    existing = {
        (app, codename) for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    for role, wanted in ROLE_PERMISSIONS.items():
        for app, codename in wanted:
            if codename != "*":
                assert (app, codename) in existing, (role, app, codename)


def test_createeditor_makes_a_staff_user_in_the_role_group():
    out = io.StringIO()
    call_command("createeditor", "maria", "--role", "author", "--password", "dalga-i-sigurna-parola", "--name",
                 "Мария Петрова", "--email", "maria@example.org", stdout=out)  # fmt: skip
    user = get_user_model().objects.get(username="maria")
    assert user.is_staff and not user.is_superuser
    assert user.check_password("dalga-i-sigurna-parola")
    assert list(user.groups.values_list("name", flat=True)) == ["Автори"]
    assert Author.objects.get(user=user).name == "Мария Петрова"
    assert user.has_perm("articles.add_article") and not user.has_perm("articles.publish_article")
    assert "Автори" in out.getvalue()


@pytest.mark.parametrize("password", ["short1", "password123456", "ivanivanivan1"])
def test_createeditor_runs_the_password_validators(password):
    with pytest.raises(CommandError):
        call_command("createeditor", "ivanivanivan", "--password", password, stdout=io.StringIO())
    assert not get_user_model().objects.filter(username="ivanivanivan").exists()


@pytest.mark.parametrize("name", ["admin", "Root", "test"])
def test_createeditor_refuses_the_names_attackers_guess(name):
    with pytest.raises(CommandError, match=r"reserved|запазено"):
        call_command("createeditor", name, "--password", "dalga-i-sigurna-parola", stdout=io.StringIO())


def test_createeditor_refuses_an_existing_user_unless_asked_to_update():
    call_command("createeditor", "petar", "--password", "dalga-i-sigurna-parola", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("createeditor", "petar", "--password", "druga-dalga-parola", stdout=io.StringIO())
    call_command("createeditor", "petar", "--role", "moderator", "--update", stdout=io.StringIO())
    user = get_user_model().objects.get(username="petar")
    assert list(user.groups.values_list("name", flat=True)) == ["Модератори"]
    assert user.check_password("dalga-i-sigurna-parola")


def test_createeditor_without_a_password_and_without_a_terminal_fails(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO())
    with pytest.raises(CommandError, match="password"):
        call_command("createeditor", "nopass", stdout=io.StringIO())


def test_demo_accounts_are_created_once_per_role_and_printed(settings):
    settings.DEBUG = True
    out = io.StringIO()
    demo_accounts.seed(stdout=out)
    demo_accounts.seed(stdout=out)  # safe to run again
    users = get_user_model().objects.filter(username__in=[a[0] for a in demo_accounts.DEMO_ACCOUNTS])
    assert users.count() == 3
    for username, role, _name, password in demo_accounts.DEMO_ACCOUNTS:
        user = users.get(username=username)
        assert user.is_staff and not user.is_superuser
        assert user.check_password(password)
        assert list(user.groups.values_list("name", flat=True)) == [GROUP_NAMES[role]]
        assert password in out.getvalue()
    assert not set(users.values_list("username", flat=True)) & RESERVED_USERNAMES


def test_demo_accounts_refuse_to_exist_without_debug(settings):
    settings.DEBUG = False
    out = io.StringIO()
    demo_accounts.seed(stdout=out)
    assert not get_user_model().objects.filter(username__in=[a[0] for a in demo_accounts.DEMO_ACCOUNTS]).exists()
    assert "DEBUG" in out.getvalue()


def test_object_rules_authors_edit_only_their_own_unpublished_articles():
    author, other = newsroom_user(AUTHOR), newsroom_user(AUTHOR)
    editor = newsroom_user(EDITOR)
    own = ArticleFactory(draft=True, created_by=author)
    credited = ArticleFactory(draft=True, authors=[author.author_profile])
    others = ArticleFactory(draft=True, created_by=other)
    published_own = ArticleFactory(created_by=author)
    assert can_edit_article(author, own) and can_edit_article(author, credited)
    assert not can_edit_article(author, others)
    assert not can_edit_article(author, published_own)
    assert all(can_edit_article(editor, a) for a in (own, others, published_own))
    assert can_preview_article(author, own) and not can_preview_article(author, others)
    assert not can_preview_article(newsroom_user(MODERATOR), own)
