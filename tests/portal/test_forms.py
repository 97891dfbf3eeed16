"""Every ModelForm and ModelAdmin of the project lists its fields: no `__all__`, no `exclude` (ASVS 15.3.3)."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin
from django.forms import ModelForm

ROOT = Path(__file__).resolve().parents[2]


def project_apps():
    return [
        config
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(ROOT) and ".venv" not in Path(config.path).parts
    ]


def import_project_modules():
    """Import every app's forms/admin/views module so their ModelForm classes exist."""
    for config in project_apps():
        for module in ("forms", "admin", "views"):
            if (Path(config.path) / f"{module}.py").exists() or (Path(config.path) / module).is_dir():
                importlib.import_module(f"{config.name}.{module}")


def all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from all_subclasses(sub)


def is_project(cls) -> bool:
    return cls.__module__.split(".")[0] in {config.name.split(".")[0] for config in project_apps()}


def form_problems(form_class) -> list[str]:
    meta = getattr(form_class, "Meta", None)
    if meta is None or getattr(meta, "model", None) is None:
        return []  # an abstract base form; its subclasses are checked
    problems = []
    fields = getattr(meta, "fields", None)
    if fields is None or fields == "__all__":
        problems.append(f"{form_class.__module__}.{form_class.__qualname__}: Meta.fields={fields!r}")
    if getattr(meta, "exclude", None):
        problems.append(f"{form_class.__module__}.{form_class.__qualname__}: Meta.exclude is set")
    return problems


def declares_fields_in_code(model_admin) -> bool:
    """fields/fieldsets attributes, or get_fields/get_fieldsets written by the project (not Django's fallback)."""
    cls = type(model_admin)
    return (
        model_admin.fields is not None
        or model_admin.fieldsets is not None
        or cls.get_fields is not BaseModelAdmin.get_fields
        or cls.get_fieldsets is not BaseModelAdmin.get_fieldsets
    )


def admin_problems(model_admin, request) -> list[str]:
    name = f"{type(model_admin).__module__}.{type(model_admin).__qualname__}"
    problems = []
    if not declares_fields_in_code(model_admin):
        problems.append(f"{name}: neither fields nor fieldsets")
    else:
        listed = [f for _, options in model_admin.get_fieldsets(request) for f in options["fields"]]
        if "__all__" in listed:
            problems.append(f"{name}: get_fieldsets() lists __all__")
    if model_admin.fields == "__all__":
        problems.append(f"{name}: fields='__all__'")
    if model_admin.exclude:
        problems.append(f"{name}: exclude is set")
    if model_admin.form is not ModelForm:
        problems += form_problems(model_admin.form)
    return problems


@pytest.mark.django_db
def test_every_project_model_admin_and_inline_lists_its_fields(rf, admin_user):
    import_project_modules()
    request = rf.get("/")
    request.user = admin_user
    problems, checked = [], 0
    for model, model_admin in admin.site._registry.items():
        if not is_project(type(model_admin)):
            continue
        checked += 1
        problems += admin_problems(model_admin, request)
        for inline_class in model_admin.inlines:
            inline = inline_class(model, admin.site)
            problems += admin_problems(inline, request)
    assert checked >= 6  # Section, Tag, Source, Author, Image, Article at least
    assert problems == [], "\n".join(problems)


def test_every_project_model_form_lists_its_fields():
    import_project_modules()
    forms = [cls for cls in all_subclasses(ModelForm) if is_project(cls)]
    problems = [problem for cls in forms for problem in form_problems(cls)]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    ("meta", "expected"),
    [({"fields": "__all__"}, 1), ({"exclude": ["slug"], "fields": ["name"]}, 1), ({"fields": ["name"]}, 0)],
)
def test_the_check_catches_all_and_exclude(meta, expected):
    from articles.models import Tag

    form_class = type("Probe", (ModelForm,), {"Meta": type("Meta", (), {"model": Tag, **meta}), "__module__": "x"})
    assert len(form_problems(form_class)) == expected
