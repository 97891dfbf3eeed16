import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import ReportReason
from .security import FormTokenError, check_form_token, form_token
from .text import NameList, clean_body, clean_line

# Guests may not pass themselves off as the newsroom, in any disguise ("Ｐеда́кцията", "Р е д а к ц и я т а",
# "M0DERATOR"), with endings ("Модераторът") or several together ("Редакцията на Вестник"). A listed word
# beside a name of one's own ("Модератор на спорта", "Редактор Иванов") stays allowed: NameList.
RESERVED_NAMES = NameList(
    [
        "редакция", "редакции", "редактор", "вестник", "модератор", "администратор", "администрация", "админ",
        "vestnik", "redakcia", "redaktsia", "moderator", "admin", "administrator", "editor",
    ],
    fillers=["на", "от", "и", "екип", "бг", "the", "of", "and", "team", "bg", "na", "ot"],
)  # fmt: skip

TOKEN_ERRORS = {
    "expired": _("The form was open too long. Please send it again."),
    "too_fast": _("That was very fast. Please check your comment and send it again."),
    "tampered": _("The form could not be checked. Please send it again."),
}


class BodyField(forms.CharField):
    def __init__(self, **kwargs):
        limit = settings.COMMENTS_MAX_LENGTH
        kwargs.setdefault("label", _("Comment"))
        kwargs.setdefault("max_length", limit)
        kwargs.setdefault(
            "widget",
            forms.Textarea(attrs={"rows": 5, "cols": 60, "maxlength": limit, "data-counter": limit}),
        )
        kwargs.setdefault(
            "error_messages",
            {
                "required": _("Write your comment first."),
                "max_length": _("The comment is too long: at most %(limit_value)d characters (it has %(show_value)d)."),
            },
        )
        super().__init__(strip=False, **kwargs)

    def to_python(self, value):
        # Browsers count a line break as one character (maxlength, the counter) but send it as CRLF: count
        # it once here too, before max_length is checked.
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")

    def clean(self, value):
        value = super().clean(value)
        value = clean_body(value)
        if not value:
            raise forms.ValidationError(_("Write your comment first."), code="empty")
        return value


class CommentForm(forms.Form):
    """A new comment or a reply, from a guest (name, optional e-mail) or a signed-in reader."""

    author_name = forms.CharField(
        label=_("Name"),
        max_length=settings.COMMENTS_NAME_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    email = forms.EmailField(
        label=_("E-mail (optional, never shown)"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    body = BodyField()
    notify_on_reply = forms.BooleanField(label=_("E-mail me when someone replies"), required=False)
    confirm_latin = forms.BooleanField(label=_("Publish in Latin letters anyway"), required=False)
    parent = forms.CharField(required=False, widget=forms.HiddenInput)
    token = forms.CharField(required=False, widget=forms.HiddenInput)
    submission = forms.CharField(required=False, widget=forms.HiddenInput)
    # The honeypot: hidden from people by CSS, filled in by bots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, article, user=None, parent=None, **kwargs):
        self.article = article
        self.user = user if user is not None and user.is_authenticated else None
        self.parent_comment = parent
        self.show_latin_confirm = False
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("token", form_token(article.pk))
        initial.setdefault("submission", str(uuid.uuid4()))
        if parent is not None:
            initial.setdefault("parent", parent.pk)
        super().__init__(*args, **kwargs)
        if self.user:
            del self.fields["author_name"]
            del self.fields["email"]
            if not self.user.email:
                del self.fields["notify_on_reply"]

    @property
    def honeypot_filled(self) -> bool:
        return bool(self.data.get("website"))

    def clean_author_name(self):
        name = clean_line(self.cleaned_data.get("author_name", ""))
        if not name:
            raise forms.ValidationError(_("Please give a name."), code="required")
        if name in RESERVED_NAMES:
            raise forms.ValidationError(_("Please choose another name."), code="reserved")
        return name

    def clean_parent(self):
        value = (self.cleaned_data.get("parent") or "").strip()
        if not value:
            return None
        if not value.isascii() or not value.isdigit() or not 0 < int(value) < 2**63:
            raise forms.ValidationError(_("The comment you are replying to is no longer available."), code="parent")
        return int(value)

    def clean_submission(self):
        try:
            return uuid.UUID(self.cleaned_data.get("submission") or "")
        except ValueError:
            return uuid.uuid4()

    def clean_token(self):
        try:
            check_form_token(self.cleaned_data.get("token") or "", self.article.pk)
        except FormTokenError as exc:
            self.token_error = exc.code
            raise forms.ValidationError(TOKEN_ERRORS[exc.code], code=exc.code) from None
        return self.cleaned_data["token"]

    def clean(self):
        data = super().clean()
        if data.get("notify_on_reply") and not (self.user or data.get("email")):
            self.add_error("email", _("Give your e-mail address to be told about replies."))
        return data

    def renew_token(self):
        """After an error, the form shown again gets a fresh token (the reader's text is kept)."""
        if self.is_bound:
            self.data = self.data.copy()
            self.data[self.add_prefix("token")] = form_token(self.article.pk)

    @property
    def token_errors(self):
        """Errors of the hidden token field, shown with the other errors at the top of the form."""
        return self.errors.get("token", [])


class EditForm(forms.Form):
    body = BodyField()


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=ReportReason.choices, widget=forms.RadioSelect)
    explanation = forms.CharField(
        label=_("Explanation"),
        help_text=_("Required for illegal content: what is illegal about it, and why."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60, "maxlength": 1000}),
    )

    def clean(self):
        data = super().clean()
        data["explanation"] = clean_body(data.get("explanation", ""))
        if data.get("reason") == ReportReason.ILLEGAL and not data["explanation"]:
            self.add_error("explanation", _("Please explain what is illegal about this comment."))
        return data
