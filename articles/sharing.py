"""Share links for an article, built from its canonical absolute URL."""

from urllib.parse import quote, urlencode

from django.utils.translation import gettext as _


def share_links(request, article) -> list[tuple[str, str, str]]:
    """``(key, label, url)`` for every network the share row offers."""
    url = request.build_absolute_uri(article.get_absolute_url())
    title = article.title
    text = f"{title} {url}"
    return [
        ("facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})),
        ("x", "X", "https://x.com/intent/post?" + urlencode({"url": url, "text": title})),
        ("linkedin", "LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url})),
        ("telegram", "Telegram", "https://t.me/share/url?" + urlencode({"url": url, "text": title})),
        ("viber", "Viber", "viber://forward?" + urlencode({"text": text})),
        ("whatsapp", "WhatsApp", "https://wa.me/?" + urlencode({"text": text})),
        ("email", _("E-mail"), f"mailto:?subject={quote(title, safe='')}&body={quote(url, safe='')}"),
    ]
