"""The site's most repeated pieces of markup, written in Python: a catalog card and what it is made of (a picture,
an avatar, the seller's level badge, the reputation line, the favourite heart), and a message of an order's thread
or of a conversation (a page shows fifty).

A page of cards is where the catalog, a search and a seller's page spend their time: as Jinja macros a card was
eight macro calls, about seventy escaped values, nine translations and four URLs, 0.11 ms of a web worker's CPU
each, more than the rest of the page together. Written as Python functions they cost a fraction of that (README,
*Performance*). The templates call them through their old macros (components/pictures.html,
catalog/_reputation.html, catalog/_favourite.html, orders/_message.html, inbox/_message.html) or directly
(`kwork_card`), so each piece has one definition.

Every value is escaped and every text translated as the templates did: a translation is markup, the values put into
it are escaped (`_`, `ngettext`: named so that pybabel finds their texts), as Jinja's autoescaped `_()` and
`ngettext()` do. The escaping is markupsafe's, as plain text (template_runtime.escape_to_text): each function wraps what it wrote in one Markup, rather than one
per value.
`tests/test_components.py` compares each function's HTML with the Jinja macros it replaced, for visitors and
members, with and without pictures, reviews and favourites, in every language.
"""
import math

from flask import request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from .domain import levels as seller_levels
from .template_runtime import escape_to_text as escape
from .template_urls import template_url_for as url_for
from .templating import avatar_sources, days, initials, local_time, money, paragraphs, picture_sources, user_time
from .texts import current_translations

CARD_COVER_SIZES = "(max-width: 640px) calc(100vw - 2rem), 300px"
_HEART = ('<svg class="favourite__icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">'
          '<path d="M12 21s-7.5-4.6-9.6-9.2C.9 8.4 3 4.5 6.7 4.5c2.1 0 3.6 1.1 4.3 2.4.7-1.3 2.2-2.4 4.3-2.4 3.7 0 5.8 3.9 '
          '4.3 7.3C19.5 16.4 12 21 12 21z"/></svg>')  # fmt: skip


def _escaped(variables: dict) -> dict:
    """The variables of a translation, text escaped and numbers left as they are (for `%(num)d`), as
    markupsafe's `Markup.__mod__` gives them."""
    return {name: value if type(value) in (int, float) else escape(value) for name, value in variables.items()}


def _(string: str, **variables) -> str:
    """`_()` in a template: the translation as markup, the variables escaped into it."""
    translated = current_translations().ugettext(string)
    return translated % _escaped(variables) if variables or "%" in translated else translated


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """`ngettext()` in a template: the form for `num`, as markup, `num` and the variables escaped into it."""
    variables.setdefault("num", num)
    return current_translations().ungettext(singular, plural, num) % _escaped(variables)


def pgettext(context: str, string: str) -> str:
    """`pgettext()` in a template (no variables): the translation of `string` in `context`, as markup."""
    translated = current_translations().upgettext(context, string)
    return translated % {} if "%" in translated else translated


def picture(p, sizes: str, alt: str | None = None, eager: bool = False, class_: str = "") -> Markup:
    """A stored picture in every width it was kept in, WebP for browsers that take it and JPEG for the rest, with its
    size (so the page does not jump while it loads), lazy unless it is the first thing on screen. `alt`: the
    picture's own description unless given ("" for a decorative one)."""
    urls = picture_sources(p)
    sizes = escape(sizes)
    loading = 'fetchpriority="high"' if eager else 'loading="lazy"'
    return Markup(
        f'<picture>\n<source type="image/webp" sizes="{sizes}" srcset="{escape(urls["webp"])}">\n'
        f'<img class="{escape(class_)}" src="{escape(urls["src"])}" srcset="{escape(urls["jpeg"])}" sizes="{sizes}" '
        f'width="{escape(p.width)}" height="{escape(p.height)}" alt="{escape(p.alt if alt is None else alt)}" {loading} decoding="async">\n'
        f"</picture>"
    )


def avatar(user, size: int = 40, alt: str = "") -> Markup:
    """A user's avatar, or their initials in a coloured circle when they have none. Decorative unless `alt` is
    given: the name is always written next to it."""
    if user.avatar_token:
        urls = avatar_sources(user.avatar_token, size)
        return Markup(
            f'<picture class="avatar avatar--{escape(size)}">\n'
            f'<source type="image/webp" srcset="{escape(urls["webp"])}" sizes="{escape(size)}px">\n'
            f'<img class="avatar__image" src="{escape(urls["src"])}" width="{escape(size)}" height="{escape(size)}" alt="{escape(alt)}" loading="lazy" decoding="async">\n'
            f"</picture>"
        )  # fmt: skip
    named = f' role="img" aria-label="{escape(alt)}"' if alt else ' aria-hidden="true"'
    return Markup(
        f'<span class="avatar avatar--initials avatar--hue-{user.id % 8} avatar--{escape(size)}"{named}>{escape(initials(user.display_name))}</span>'
    )


def level_badge(seller, link: bool = False) -> Markup:
    """The seller's level as a badge with text ("Seller level: Level 2" to a screen reader); with `link`, it opens
    the page that explains the levels."""
    level = seller_levels.BY_CODE[seller.level]
    css = f"badge badge--level badge--{escape(level.code)}"
    opening = f'<a class="{css}" href="{escape(url_for("pages.levels"))}">' if link else f'<span class="{css}">'
    said = _("Seller level:")
    inside = f'<span class="visually-hidden">{said} </span>{escape(str(level.name))}'
    return Markup(f'{opening}{inside}{"</a>" if link else "</span>"}')


def rating(rep) -> Markup:
    """The rating at a glance ("★ 98% positive · 120 reviews") and, hidden, as a sentence a screen reader reads
    whole; "No reviews yet" without one."""
    if rep.rating is None:
        return Markup(_("No reviews yet"))
    # Texts are translated outside the f-strings: pybabel does not look inside them.
    sentence = ngettext("Rated %(percent)s%% positive from %(num)d review.", "Rated %(percent)s%% positive from %(num)d reviews.",
                       rep.reviews, percent=rep.rating)  # fmt: skip
    positive, reviews = _("%(rating)s%% positive", rating=rep.rating), ngettext("%(num)d review", "%(num)d reviews", rep.reviews)
    return Markup(
        f'<span class="visually-hidden">{sentence}</span>\n'
        f'<span aria-hidden="true"><span class="rating__star">★</span> <strong>{positive}</strong> · {reviews}</span>'
    )  # fmt: skip


def completed(rep) -> Markup:
    """The seller's completed orders ("26 orders completed")."""
    return Markup(ngettext("%(num)d order completed", "%(num)d orders completed", rep.completed))


def heart(kwork, is_favourite: bool, where: str = "card") -> Markup:
    """The favourite toggle. A member gets a toggle button (aria-pressed) in an ordinary form, so it works without
    JavaScript; with htmx the form swaps itself and focus stays on the button (its id is stable). A visitor gets a
    link to log in instead: a public page carries no form token. `where`: "card", or "page" (the kwork page, where
    the words are shown rather than said)."""
    on_card = where == "card"
    if current_user.is_authenticated:
        action = escape(url_for("catalog.favourite", kwork_id=kwork.id))
        label = _("Save to favourites: %(title)s", title=kwork.title) if on_card else _("Save to favourites")
        words = f'<span class="visually-hidden">{label}</span>' if on_card else f'<span class="favourite__text">{label}</span>'
        back = request.full_path if request.query_string else request.path
        return Markup(
            f'<form class="favourite favourite--{escape(where)}" method="post" action="{action}" hx-post="{action}" hx-swap="outerHTML">\n'
            f'<input type="hidden" name="csrf_token" value="{escape(generate_csrf())}">\n'
            f'<input type="hidden" name="favourite" value="{"0" if is_favourite else "1"}">\n'
            f'<input type="hidden" name="where" value="{escape(where)}">\n'
            f'<input type="hidden" name="next" value="{escape(back)}">\n'
            f'<button class="favourite__button" type="submit" id="favourite-{escape(where)}-{escape(kwork.id)}" aria-pressed="{"true" if is_favourite else "false"}">\n'
            f"{_HEART}\n{words} </button>\n</form>"
        )  # fmt: skip
    login = escape(url_for("auth.login", next=url_for("catalog.kwork", kwork_id=kwork.id)))
    if on_card:
        said = _("Log in to save to favourites: %(title)s", title=kwork.title)
        words = f'<span class="visually-hidden">{said}</span>'
    else:
        said = _("Log in to save to favourites")
        words = f'<span class="favourite__text">{said}</span>'
    return Markup(f'<a class="favourite favourite--{escape(where)} favourite__button" href="{login}">\n{_HEART}\n{words}\n</a>')


def kwork_card(card, saved) -> Markup:
    """One catalog card: `card` is a services.catalog.CatalogCard, `saved` the ids of the viewer's favourites among
    the page's kworks. The cover is decorative here: the title names the kwork, and the whole card is one link to
    it (the title's link is stretched over the card)."""
    kwork, seller, reputation = card.kwork, card.kwork.seller, card.reputation
    facts = (
        f'<p class="kwork-card__rating">{rating(reputation)}</p>\n<p class="kwork-card__done">{completed(reputation)}</p>\n'
        if reputation else ""
    )  # fmt: skip
    if kwork.cover:
        media = picture(kwork.cover, CARD_COVER_SIZES, alt="", class_="kwork-card__image")
    else:
        media = f'<span class="kwork-card__placeholder" aria-hidden="true">{escape(initials(kwork.title))}</span>'
    by, price_from = _("by"), _("From")
    return Markup(
        f'<li class="kwork-card card">\n<div class="kwork-card__body">\n'
        f'<h3 class="kwork-card__title"><a class="kwork-card__link" href="{escape(url_for("catalog.kwork", kwork_id=kwork.id))}">{escape(kwork.title)}</a></h3>\n'
        f'<p class="kwork-card__seller">{avatar(seller, 32)}<span class="visually-hidden">{by} </span>'
        f'<a href="{escape(url_for("catalog.seller", user_id=seller.id))}">{escape(seller.display_name)}</a> {level_badge(seller)}</p>\n'
        f"{facts}"
        f'<p class="kwork-card__price"><span class="kwork-card__from">{price_from}</span> <strong>{escape(money(card.price_from))}</strong>'
        f' <span class="kwork-card__days">· {escape(days(card.delivery_days))}</span></p>\n'
        f"</div>\n{heart(kwork, kwork.id in saved)}\n"
        f'<div class="kwork-card__media">\n{media}\n</div>\n</li>'
    )  # fmt: skip


def _attachments(files, endpoint: str, owner: str, owner_id: int) -> str:
    """A message's files as download links with their size ("(12 KB)", rounded up)."""
    items = []
    for file in files:
        href = escape(url_for(endpoint, **{owner: owner_id, "attachment_id": file.id}))
        size = _("%(size)s KB", size=math.ceil(file.size / 1024))
        items.append(f'<li><a href="{href}" download>{escape(file.original_name)}</a> <span class="hint">({size})</span></li>')
    return '<ul class="attachments">\n' + "\n".join(items) + "\n</ul>\n"


def order_message(message) -> Markup:
    """One message of an order's thread: its author, its kind when it is requirements, a delivery or a revision
    request, its time in the viewer's zone, its text as paragraphs and its files."""
    if message.kind == "requirements":
        kind = _("Requirements")
    elif message.kind == "delivery":
        kind = pgettext("kind of message", "Delivery")
    elif message.kind == "revision_request":
        kind = _("Revision request")
    else:
        kind = None
    kind = f'<span class="message__kind">{kind}</span>\n' if kind else ""
    files = _attachments(message.attachments, "orders.attachment", "order_id", message.order_id) if message.attachments else ""
    return Markup(
        f'<li class="message message--{escape(message.kind)}" id="message-{escape(message.id)}">\n<p class="message__meta">\n'
        f"<strong>{escape(message.author.display_name)}</strong>\n{kind}· {local_time(message.created_at)}\n</p>\n"
        f'<div class="message__body">{paragraphs(message.body)}</div>\n{files}</li>'
    )  # fmt: skip


def conversation_message(message, viewer_id: int, now, offer_card) -> Markup:
    """One message of a conversation: "You" or its author, whether it asks for an individual offer, its time in the
    viewer's zone, then the offer it carries (`offer_card`: inbox/_message.html's macro, called with the offer, the
    viewer and `now`) or its text, its files, and a link to report it when someone else wrote it."""
    mine = message.author_id == viewer_id
    author = _("You") if mine else escape(message.author.display_name)
    asks = _("Asks for an individual offer") if message.asks_for_offer else ""
    asks = f'<span class="message__kind">{asks}</span>\n' if asks else ""
    if message.offer:
        content = offer_card(message.offer, viewer_id, now)
    else:
        content = f'<div class="message__body">{paragraphs(message.body)}</div>'
    files = ""
    if message.attachments:
        files = _attachments(message.attachments, "inbox.attachment", "conversation_id", message.conversation_id)
    report = ""
    if not mine and not message.offer:
        href = escape(url_for("inbox.report", conversation_id=message.conversation_id, message_id=message.id))
        # The time as the page says it, without its <time> element (the template's `local_time | striptags`).
        said, which = _("Report"), _("the message of %(time)s", time=" ".join(user_time(message.created_at).split()))
        report = f'<p class="message__actions"><a href="{href}">{said}<span class="visually-hidden"> {which}</span></a></p>\n'
    return Markup(
        f'<li class="message{" message--mine" if mine else ""}" id="message-{escape(message.id)}">\n<p class="message__meta">\n'
        f"<strong>{author}</strong>\n{asks}· {local_time(message.created_at)}\n</p>\n{content}\n{files}{report}</li>"
    )  # fmt: skip
