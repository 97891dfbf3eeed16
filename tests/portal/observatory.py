"""A small Python port of the Mozilla HTTP Observatory scoring (mdn-http-observatory, algorithm v4).

Same tests, same modifiers and the same curve as the scanner's `grader/charts.js` and
`scanner/index.js`: start at 100, add every modifier, and keep the bonuses only if the
score without them (the "uncurved" score) is still >= 90. Inputs are Django test responses:
the page over HTTPS, the same path over plain HTTP (redirection), a CORS probe with a
foreign Origin, and any other responses whose cookies land in the scanner's jar (robots.txt).
The HSTS preload list is not consulted (the site is not on it yet), as if freshly deployed.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90
OBSERVATORY_ORIGIN = "https://http-observatory.security.mozilla.org"

MODIFIERS = {
    # content-security-policy
    "csp-implemented-with-no-unsafe-default-src-none": 10,
    "csp-implemented-with-no-unsafe": 5,
    "csp-implemented-with-unsafe-inline-in-style-src-only": 0,
    "csp-implemented-with-insecure-scheme-in-passive-content-only": -10,
    "csp-implemented-with-unsafe-eval": -10,
    "csp-implemented-with-unsafe-inline": -20,
    "csp-implemented-with-insecure-scheme": -20,
    "csp-header-invalid": -25,
    "csp-not-implemented": -25,
    # cookies
    "cookies-secure-with-httponly-sessions-and-samesite": 5,
    "cookies-secure-with-httponly-sessions": 0,
    "cookies-not-found": 0,
    "cookies-without-secure-flag-but-protected-by-hsts": -5,
    "cookies-session-without-secure-flag-but-protected-by-hsts": -10,
    "cookies-without-secure-flag": -20,
    "cookies-samesite-flag-invalid": -20,
    "cookies-anticsrf-without-samesite-flag": -20,
    "cookies-session-without-httponly-flag": -30,
    "cookies-session-without-secure-flag": -40,
    # cross-origin-resource-sharing
    "cross-origin-resource-sharing-not-implemented": 0,
    "cross-origin-resource-sharing-implemented-with-public-access": 0,
    "cross-origin-resource-sharing-implemented-with-restricted-access": 0,
    "cross-origin-resource-sharing-implemented-with-universal-access": -50,
    # redirection
    "redirection-to-https": 0,
    "redirection-not-needed-no-http": 0,
    "redirection-off-host-from-http": -5,
    "redirection-not-to-https-on-initial-redirection": -10,
    "redirection-not-to-https": -20,
    "redirection-missing": -20,
    # referrer-policy
    "referrer-policy-private": 5,
    "referrer-policy-not-implemented": 0,
    "referrer-policy-unsafe": -5,
    "referrer-policy-header-invalid": -5,
    # strict-transport-security
    "hsts-implemented-max-age-at-least-six-months": 0,
    "hsts-implemented-max-age-less-than-six-months": -10,
    "hsts-not-implemented": -20,
    "hsts-header-invalid": -20,
    # subresource-integrity
    "sri-implemented-and-all-scripts-loaded-securely": 5,
    "sri-implemented-and-external-scripts-loaded-securely": 5,
    "sri-not-implemented-response-not-html": 0,
    "sri-not-implemented-but-no-scripts-loaded": 0,
    "sri-not-implemented-but-all-scripts-loaded-from-secure-origin": 0,
    "sri-not-implemented-but-external-scripts-loaded-securely": -5,
    "sri-implemented-but-external-scripts-not-loaded-securely": -20,
    "sri-not-implemented-and-external-scripts-not-loaded-securely": -50,
    # x-content-type-options
    "x-content-type-options-nosniff": 0,
    "x-content-type-options-not-implemented": -5,
    "x-content-type-options-header-invalid": -5,
    # x-frame-options
    "x-frame-options-implemented-via-csp": 5,
    "x-frame-options-sameorigin-or-deny": 0,
    "x-frame-options-allow-from-origin": 0,
    "x-frame-options-not-implemented": -20,
    "x-frame-options-header-invalid": -20,
    # cross-origin-resource-policy
    "corp-implemented-with-same-origin": 10,
    "corp-implemented-with-same-site": 10,
    "corp-implemented-with-cross-origin": 0,
    "corp-not-implemented": 0,
    "corp-header-invalid": -5,
}

DANGEROUSLY_BROAD = {"ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*", "https://*.*"}
UNSAFE_INLINE = {"'unsafe-inline'", "data:"}
NONCES_HASHES = ("'sha256-", "'sha384-", "'sha512-", "'nonce-")


@dataclass
class Scan:
    score: int
    uncurved: int
    grade: str
    results: dict[str, str]
    negatives: dict[str, int] = field(default_factory=dict)


def _header(response, name):
    return response.headers.get(name) if response is not None else None


def parse_csp(value: str) -> dict[str, set[str]]:
    """Directive -> sources, lower-cased; the first occurrence of a directive wins (CSP3)."""
    policy: dict[str, set[str]] = {}
    for part in value.split(";"):
        tokens = part.strip().split()
        if not tokens:
            continue
        directive = tokens[0].lower()
        if directive in policy:
            continue
        policy[directive] = {t.lower() for t in tokens[1:]} or {"'none'"}
    return policy


def csp_test(response) -> tuple[str, dict[str, set[str]]]:
    raw = _header(response, "Content-Security-Policy")
    if not raw:
        return "csp-not-implemented", {}
    try:
        csp = parse_csp(raw)
    except Exception:
        return "csp-header-invalid", {}
    if not csp:
        return "csp-not-implemented", {}
    script_src = set(csp.get("script-src") or csp.get("default-src") or {"*"})
    style_src = set(csp.get("style-src") or csp.get("default-src") or {"*"})
    object_src = csp.get("object-src") or csp.get("default-src") or {"*"}
    for sources in (script_src, style_src):
        if any(s.startswith(NONCES_HASHES) for s in sources):
            sources.discard("'unsafe-inline'")
    result = None
    if any(s.startswith(NONCES_HASHES) for s in script_src) and "'strict-dynamic'" in script_src:
        script_src = {
            s for s in script_src if not (s.startswith(tuple(DANGEROUSLY_BROAD)) or s in {"'self'", "'unsafe-inline'"})
        }
    elif "'strict-dynamic'" in script_src:
        result = "csp-header-invalid"
    active = [s for d, sources in csp.items() if d not in {"img-src", "media-src", "script-src"} for s in sources]
    active += list(script_src)
    passive = [s for d in ("img-src", "media-src") for s in (csp.get(d) or csp.get("default-src") or set())]
    if script_src & (DANGEROUSLY_BROAD | UNSAFE_INLINE) or object_src & DANGEROUSLY_BROAD:
        result = result or "csp-implemented-with-unsafe-inline"
    if any(s.startswith(("http:", "ftp:")) for s in active):
        result = result or "csp-implemented-with-insecure-scheme"
    if "'unsafe-eval'" in script_src | style_src:
        result = result or "csp-implemented-with-unsafe-eval"
    if any(s.startswith(("http:", "ftp:")) for s in passive):
        result = result or "csp-implemented-with-insecure-scheme-in-passive-content-only"
    if style_src & (DANGEROUSLY_BROAD | UNSAFE_INLINE):
        result = result or "csp-implemented-with-unsafe-inline-in-style-src-only"
    if csp.get("default-src") == {"'none'"}:
        result = result or "csp-implemented-with-no-unsafe-default-src-none"
    return result or "csp-implemented-with-no-unsafe", csp


def hsts_test(https_response) -> str:
    raw = _header(https_response, "Strict-Transport-Security")
    if not raw:
        return "hsts-not-implemented"
    if "," in raw:
        return "hsts-header-invalid"
    max_age = None
    for parameter in (p.strip().lower() for p in raw[:1024].split(";")):
        if parameter.startswith("max-age="):
            try:
                max_age = int(parameter[8:128])
            except ValueError:
                return "hsts-header-invalid"
    if max_age is None:
        return "hsts-header-invalid"
    return (
        "hsts-implemented-max-age-at-least-six-months"
        if max_age >= 15_552_000
        else ("hsts-implemented-max-age-less-than-six-months")
    )


def _cookies(responses) -> list:
    morsels = []
    for response in responses:
        if response is None:
            continue
        jar = SimpleCookie()
        for morsel in response.cookies.values():
            jar[morsel.key] = morsel
        morsels.extend(jar.values())
    return morsels


def cookies_test(cookie_responses, hsts_passes: bool) -> str:
    order = [
        "cookies-without-secure-flag-but-protected-by-hsts",
        "cookies-without-secure-flag",
        "cookies-session-without-secure-flag-but-protected-by-hsts",
        "cookies-samesite-flag-invalid",
        "cookies-anticsrf-without-samesite-flag",
        "cookies-session-without-httponly-flag",
        "cookies-session-without-secure-flag",
    ]
    result = None

    def worse(candidate):
        nonlocal result
        if result is None or order.index(candidate) > order.index(result):
            result = candidate

    morsels = _cookies(cookie_responses)
    if not morsels:
        return "cookies-not-found"
    missing_samesite = False
    for morsel in morsels:
        name = morsel.key.lower()
        session_id = "login" in name or "sess" in name
        anticsrf = "csrf" in name
        secure = bool(morsel["secure"])
        samesite = (morsel["samesite"] or "").strip().lower()
        if samesite and samesite not in {"lax", "strict", "none"}:
            worse("cookies-samesite-flag-invalid")
        if not secure and samesite == "none":
            worse("cookies-samesite-flag-invalid")
        if not secure:
            worse("cookies-without-secure-flag-but-protected-by-hsts" if hsts_passes else "cookies-without-secure-flag")
        if anticsrf and not samesite:
            worse("cookies-anticsrf-without-samesite-flag")
        if session_id and not secure:
            worse(
                "cookies-session-without-secure-flag-but-protected-by-hsts"
                if hsts_passes
                else "cookies-session-without-secure-flag"
            )
        if session_id and not morsel["httponly"]:
            worse("cookies-session-without-httponly-flag")
        missing_samesite = missing_samesite or not samesite
    if result:
        return result
    return (
        "cookies-secure-with-httponly-sessions"
        if missing_samesite
        else ("cookies-secure-with-httponly-sessions-and-samesite")
    )


def cors_test(cors_response) -> str:
    acao = (_header(cors_response, "Access-Control-Allow-Origin") or "").strip().lower()
    if not acao:
        return "cross-origin-resource-sharing-not-implemented"
    if acao == "*":
        return "cross-origin-resource-sharing-implemented-with-public-access"
    credentials = (_header(cors_response, "Access-Control-Allow-Credentials") or "").strip().lower()
    if acao == OBSERVATORY_ORIGIN and credentials == "true":
        return "cross-origin-resource-sharing-implemented-with-universal-access"
    return "cross-origin-resource-sharing-implemented-with-restricted-access"


def redirection_test(http_response, host: str) -> str:
    if http_response is None:
        return "redirection-not-needed-no-http"
    if http_response.status_code not in (301, 302, 303, 307, 308):
        return "redirection-missing"
    target = urlsplit(http_response.headers["Location"])
    if target.scheme != "https":
        return (
            "redirection-not-to-https-on-initial-redirection"
            if target.scheme == "http"
            else ("redirection-not-to-https")
        )
    if target.hostname != host:
        return "redirection-off-host-from-http"
    return "redirection-to-https"


def referrer_test(response) -> str:
    good = ["no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"]
    bad = ["origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade"]
    raw = _header(response, "Referrer-Policy")
    if not raw:
        return "referrer-policy-not-implemented"
    valid = [p.strip().lower() for p in raw.split(",") if p.strip().lower() in good + bad]
    policy = valid[-1] if valid else ""
    if policy in good:
        return "referrer-policy-private"
    return "referrer-policy-unsafe" if policy in bad else "referrer-policy-header-invalid"


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(dict(attrs))


def sri_test(response, host: str) -> str:
    mime = (_header(response, "Content-Type") or "").split(";")[0].strip()
    if mime and mime not in {"text/html", "application/xhtml+xml"}:
        return "sri-not-implemented-response-not-html"
    parser = _Scripts()
    parser.feed(response.content.decode("utf-8", "replace"))
    if not parser.scripts:
        return "sri-not-implemented-but-no-scripts-loaded"
    order = [
        "sri-implemented-and-all-scripts-loaded-securely",
        "sri-implemented-and-external-scripts-loaded-securely",
        "sri-implemented-but-external-scripts-not-loaded-securely",
        "sri-not-implemented-but-external-scripts-loaded-securely",
        "sri-not-implemented-and-external-scripts-not-loaded-securely",
    ]
    result, foreign = None, False
    for attrs in parser.scripts:
        src = attrs.get("src")
        if not src:
            continue
        integrity = attrs.get("integrity")
        parts = urlsplit(src)
        relative_origin = not parts.scheme and not src.startswith("//")
        same_origin = relative_origin or (parts.scheme in {"http", "https"} and parts.hostname == host)
        secure = parts.scheme == "https" or relative_origin
        if not same_origin:
            foreign = True
            if integrity and not secure:
                candidate = "sri-implemented-but-external-scripts-not-loaded-securely"
            elif not integrity and secure:
                candidate = "sri-not-implemented-but-external-scripts-loaded-securely"
            elif not integrity:
                candidate = "sri-not-implemented-and-external-scripts-not-loaded-securely"
            else:
                continue
            if result is None or order.index(candidate) > order.index(result):
                result = candidate
        elif integrity and secure and result is None:
            result = "sri-implemented-and-all-scripts-loaded-securely"
    if result:
        return result
    return (
        "sri-implemented-and-external-scripts-loaded-securely"
        if foreign
        else ("sri-not-implemented-but-all-scripts-loaded-from-secure-origin")
    )


def xcto_test(response) -> str:
    raw = _header(response, "X-Content-Type-Options")
    if not raw:
        return "x-content-type-options-not-implemented"
    return (
        "x-content-type-options-nosniff"
        if raw.strip().lower() == "nosniff"
        else ("x-content-type-options-header-invalid")
    )


def xfo_test(response, csp: dict[str, set[str]]) -> str:
    if "frame-ancestors" in csp:
        return "x-frame-options-implemented-via-csp"
    raw = (_header(response, "X-Frame-Options") or "").strip().lower()
    if not raw:
        return "x-frame-options-not-implemented"
    if raw in {"deny", "sameorigin"}:
        return "x-frame-options-sameorigin-or-deny"
    return "x-frame-options-allow-from-origin" if raw.startswith("allow-from") else "x-frame-options-header-invalid"


def corp_test(response) -> str:
    raw = (_header(response, "Cross-Origin-Resource-Policy") or "").strip().lower()[:256]
    return {
        "": "corp-not-implemented",
        "same-origin": "corp-implemented-with-same-origin",
        "same-site": "corp-implemented-with-same-site",
        "cross-origin": "corp-implemented-with-cross-origin",
    }.get(raw, "corp-header-invalid")


def grade(score: int) -> str:
    chart = {100: "A+", 95: "A", 90: "A", 85: "A-", 80: "B+", 75: "B", 70: "B", 65: "B-", 60: "C+", 55: "C"}
    chart.update({50: "C", 45: "C-", 40: "D+", 35: "D", 30: "D", 25: "D-"})
    score = max(score, 0)
    return chart.get(min(score - score % 5, 100), "F")


def scan(*, https_response, http_response, cors_response, host: str, extra_responses=()) -> Scan:
    """Score one page the way the Observatory does (see module docstring)."""
    csp_result, csp = csp_test(https_response)
    hsts_result = hsts_test(https_response)
    hsts_passes = hsts_result == "hsts-implemented-max-age-at-least-six-months"
    results = {
        "content-security-policy": csp_result,
        "cookies": cookies_test([https_response, http_response, cors_response, *extra_responses], hsts_passes),
        "cross-origin-resource-sharing": cors_test(cors_response),
        "redirection": redirection_test(http_response, host),
        "referrer-policy": referrer_test(https_response),
        "strict-transport-security": hsts_result,
        "subresource-integrity": sri_test(https_response, host),
        "x-content-type-options": xcto_test(https_response),
        "x-frame-options": xfo_test(https_response, csp),
        "cross-origin-resource-policy": corp_test(https_response),
    }
    with_credit = uncurved = 100
    negatives = {}
    for test, result in results.items():
        modifier = MODIFIERS[result]
        with_credit += modifier
        if modifier < 0:
            uncurved += modifier
            negatives[test] = modifier
    score = with_credit if uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT else uncurved
    return Scan(score=max(score, 0), uncurved=uncurved, grade=grade(score), results=results, negatives=negatives)
