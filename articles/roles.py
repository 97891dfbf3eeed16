"""Newsroom roles: the staff groups, their permissions, and how a user joins one.

The groups are created by the data migration ``0002_newsroom_roles`` so that ``migrate``
sets them up. This module is the current specification; ``sync_roles`` runs again after
every ``migrate`` (``post_migrate``, see ``apps.py``) and only *adds* what is missing. That
is how moderators get the comments app's permissions: that app's models are created by its
own migrations, possibly after ours, and a permission can only be granted once it exists.
Permissions removed by hand come back on the next ``migrate``: change the spec instead.
"""

from dataclasses import dataclass

from django.apps import apps as global_apps
from django.contrib.auth import get_user_model, password_validation
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

AUTHOR, EDITOR, MODERATOR = "author", "editor", "moderator"

GROUP_NAMES = {
    AUTHOR: "Автори",
    EDITOR: "Редактори",
    MODERATOR: "Модератори",
}

ROLE_LABELS = {
    AUTHOR: _("author"),
    EDITOR: _("editor"),
    MODERATOR: _("moderator"),
}

# Account names an attacker tries first; no staff account may use them (ASVS 6.3.2).
RESERVED_USERNAMES = {"admin", "administrator", "root", "test", "user", "guest", "superuser"}

_EDITORIAL_MODELS = ("article", "section", "tag", "source", "author", "image", "articleredirect")
_EDITORIAL_MODELS += ("liveupdate", "articlenote")  # live updates, corrections (docs/live-and-corrections.md)
_ALL = ("add", "change", "delete", "view")

# (app_label, codename) pairs; ("comments", "*") means every permission of that app.
ROLE_PERMISSIONS: dict[str, set[tuple[str, str]]] = {
    # Authors write their own articles (object-level limits live in ArticleAdmin), upload
    # images, and need "view" on what the article form looks up (autocomplete asks for it).
    AUTHOR: {
        ("articles", "add_article"),
        ("articles", "change_article"),
        ("articles", "view_article"),
        ("articles", "add_image"),
        ("articles", "view_image"),
        ("articles", "view_section"),
        ("articles", "view_tag"),
        ("articles", "view_source"),
        ("articles", "view_author"),
    },
    # Editors run the desk: every editorial model, publishing, the comments (to pin an "editors'
    # pick" and answer readers), the site's pages (За нас, Контакти, ...) and the front page (banner, arrangement).
    EDITOR: {("articles", f"{action}_{model}") for model in _EDITORIAL_MODELS for action in _ALL}
    | {("articles", "publish_article"), ("comments", "*"), ("pages", "*"), ("frontpage", "*")},
    # Moderators: the comments queue only.
    MODERATOR: {("comments", "*")},
}


def _permission_ids(role: str, Permission, using: str, app_label: str | None = None) -> list[int]:
    """Ids of the Permission rows of ``role`` that exist now (optionally of one app only)."""
    wanted = {(a, c) for a, c in ROLE_PERMISSIONS[role] if app_label is None or a == app_label}
    if not wanted:
        return []
    rows = Permission.objects.using(using).filter(content_type__app_label__in={a for a, _c in wanted})
    return [
        pk
        for pk, app, codename in rows.values_list("pk", "content_type__app_label", "codename")
        if (app, "*") in wanted or (app, codename) in wanted
    ]


def sync_roles(*, apps=global_apps, using: str = DEFAULT_DB_ALIAS, app_label: str | None = None) -> None:
    """Create the role groups if missing and grant the permissions of the spec that exist."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    with transaction.atomic(using=using):
        for role, name in GROUP_NAMES.items():
            group, _created = Group.objects.using(using).get_or_create(name=name)
            ids = _permission_ids(role, Permission, using, app_label)
            if ids:
                group.permissions.add(*ids)


def sync_roles_after_migrate(sender, app_config=None, using=DEFAULT_DB_ALIAS, apps=global_apps, **kwargs) -> None:
    """post_migrate: grant the permissions of the app just migrated (its rows exist by now)."""
    try:
        apps.get_model("auth", "Group")
        apps.get_model("articles", "Article")
    except LookupError:  # a partial migration state without auth or articles
        return
    sync_roles(apps=apps, using=using, app_label=sender.label)


def group_for(role: str):
    from django.contrib.auth.models import Group

    return Group.objects.get(name=GROUP_NAMES[role])


@dataclass(frozen=True)
class RoleAccount:
    user: object
    created: bool


def check_username(username: str) -> None:
    """Refuse the account names attackers guess first."""
    from django.core.exceptions import ValidationError

    if username.strip().lower() in RESERVED_USERNAMES:
        raise ValidationError(_("The username “%(name)s” is reserved. Choose another.") % {"name": username})


def account_set_role(
    *,
    username: str,
    role: str,
    password: str | None,
    email: str = "",
    author_name: str = "",
    create_only: bool = True,
) -> RoleAccount:
    """Create (or, with ``create_only=False``, update) a staff user in exactly one role group.

    The password goes through Django's validators; authors and editors get a linked
    Author profile so that articles can credit them and "their own" articles are known.
    """
    from django.core.exceptions import ValidationError

    from .models import Author

    if role not in GROUP_NAMES:
        raise ValidationError(_("Unknown role “%(role)s”.") % {"role": role})
    check_username(username)
    User = get_user_model()
    group = group_for(role)
    with transaction.atomic():
        user = User.objects.filter(username=username).first()
        created = user is None
        if not created and create_only:
            raise ValidationError(_("A user named “%(name)s” already exists.") % {"name": username})
        if created:
            user = User(username=username)
        if email:
            user.email = email
        if password is not None:
            password_validation.validate_password(password, user)
            user.set_password(password)
        elif created:
            user.set_unusable_password()
        user.is_staff = True
        user.is_superuser = False
        user.save()
        user.groups.remove(*user.groups.filter(name__in=GROUP_NAMES.values()).exclude(pk=group.pk))
        user.groups.add(group)
        if role in (AUTHOR, EDITOR) and not Author.objects.filter(user=user).exists():
            Author.objects.create(name=author_name or username, user=user)
    return RoleAccount(user=user, created=created)


# Object-level rules. Django's model permissions say what a role may do to articles in
# general; these say which articles. ArticleAdmin and the preview view both use them.


def can_publish(user) -> bool:
    """Editors (and superusers): publish, schedule, unpublish, and edit any article."""
    return user.has_perm("articles.publish_article")


def own_articles(user) -> Q:
    """Articles ``user`` created or is credited on as an author."""
    from .models import Article

    credited = Article.authors.through.objects.filter(article_id=OuterRef("pk"), author__user_id=user.pk)
    return Q(created_by_id=user.pk) | Q(Exists(credited))


def articles_for(user, queryset):
    """The articles of ``queryset`` that ``user`` may open in the newsroom."""
    return queryset if can_publish(user) else queryset.filter(own_articles(user))


def is_own_article(user, article) -> bool:
    from .models import Article

    return article.created_by_id == user.pk or Article.objects.filter(pk=article.pk).filter(own_articles(user)).exists()


def can_edit_article(user, article) -> bool:
    """Editors edit any article; authors only their own drafts and articles waiting for review."""
    from .models import Status

    if not user.has_perm("articles.change_article"):
        return False
    if can_publish(user):
        return True
    return article.status in (Status.DRAFT, Status.REVIEW) and is_own_article(user, article)


def can_preview_article(user, article) -> bool:
    """Staff who may see this article in the newsroom may preview it."""
    if not (user.is_active and user.is_staff and user.has_perm("articles.view_article")):
        return False
    return can_publish(user) or is_own_article(user, article)
