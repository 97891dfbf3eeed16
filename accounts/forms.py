from allauth.account import forms as allauth_forms
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from comments.forms import RESERVED_NAMES
from comments.text import clean_line

NAME_HELP = _("Shown with every comment you post from now on; the comments you posted keep their name.")


def reader_name(value: str) -> str:
    """A name to show under comments: one line, not empty, not the newsroom's (as for guests)."""
    name = clean_line(value or "")
    if not name:
        raise forms.ValidationError(_("Please give a name."), code="required")
    if name in RESERVED_NAMES:
        raise forms.ValidationError(_("Please choose another name."), code="reserved")
    return name


def name_field(**kwargs) -> forms.CharField:
    return forms.CharField(
        label=_("Name shown under your comments"),
        max_length=settings.COMMENTS_NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
        **kwargs,
    )


class SignupForm(allauth_forms.SignupForm):
    """allauth's sign-up (e-mail address, password twice) and the name the reader's comments carry.

    allauth's save_user() stores ``first_name``; comments.services.display_name reads it.
    """

    first_name = name_field(help_text=_("You can change it later on your account page."))
    field_order = ["email", "first_name", "password1", "password2"]

    def clean_first_name(self):
        return reader_name(self.cleaned_data.get("first_name", ""))


class NameForm(forms.Form):
    name = name_field(help_text=NAME_HELP)

    def clean_name(self):
        return reader_name(self.cleaned_data.get("name", ""))


class NotifyForm(forms.Form):
    """Reply e-mails on or off: for one of the reader's comments, or (no ``comment``) for all of them."""

    comment = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    notify = forms.TypedChoiceField(choices=[("1", "on"), ("0", "off")], coerce=lambda v: v == "1")
    page = forms.IntegerField(required=False, min_value=1, max_value=10**6, widget=forms.HiddenInput)


class DeleteAccountForm(forms.Form):
    KEEP, REMOVE = "keep", "remove"

    comments = forms.ChoiceField(
        label=_("Your comments"),
        choices=[
            (REMOVE, _("Delete my comments")),
            (KEEP, _("Keep my comments, signed “Изтрит потребител” (deleted user)")),
        ],
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(label=_("I understand that my account cannot be restored."))
