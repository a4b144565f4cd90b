"""webapp/components.py writes the catalog card and its pieces, and the messages of an order or a conversation, as the
Jinja macros it replaced wrote them: the same HTML, whitespace aside (runs of it collapse to one space, as a browser
reads them), for visitors and members, with and without pictures, reviews, favourites, files and offers, with markup
in names, titles and texts, in every language.

REFERENCE holds the macros as they were (components/pictures.html, catalog/_reputation.html, catalog/_favourite.html
and catalog/_card.html before 2026-12-01, in one template, the form token's macro written out), MESSAGES_REFERENCE
the messages' (orders/_message.html and inbox/_message.html, with a stand-in for the offer card both call): a
change to the markup changes both, and this test says whether they still agree."""
import re
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from flask import g, request
from flask_babel import force_locale
from flask_wtf.csrf import generate_csrf

from webapp import components
from webapp.extensions import login_manager
from webapp.i18n import LANGUAGES
from webapp.services.catalog import CardKwork, CardPicture, CardSeller, CatalogCard, Reputation

REFERENCE = """{% macro picture(p, sizes, alt=none, eager=false, class="") -%}
  {%- set urls = picture_sources(p) -%}
  <picture>
    <source type="image/webp" sizes="{{ sizes }}" srcset="{{ urls.webp }}">
    <img class="{{ class }}" src="{{ urls.src }}" srcset="{{ urls.jpeg }}"
         sizes="{{ sizes }}" width="{{ p.width }}" height="{{ p.height }}" alt="{{ p.alt if alt is none else alt }}"
         {% if eager %}fetchpriority="high"{% else %}loading="lazy"{% endif %} decoding="async">
  </picture>
{%- endmacro %}

{% macro avatar(user, size=40, alt="") %}
  {%- if user.avatar_token -%}
    {%- set urls = avatar_sources(user.avatar_token, size) -%}
    <picture class="avatar avatar--{{ size }}">
      <source type="image/webp" srcset="{{ urls.webp }}" sizes="{{ size }}px">
      <img class="avatar__image" src="{{ urls.src }}" width="{{ size }}" height="{{ size }}" alt="{{ alt }}" loading="lazy" decoding="async">
    </picture>
  {%- else -%}
    <span class="avatar avatar--initials avatar--hue-{{ user.id % 8 }} avatar--{{ size }}"{% if alt %} role="img" aria-label="{{ alt }}"{% else %} aria-hidden="true"{% endif %}>{{ initials(user.display_name) }}</span>
  {%- endif -%}
{%- endmacro %}
{% macro rating(rep) -%}
  {%- if rep.rating is not none -%}
    <span class="visually-hidden">{{ ngettext("Rated %(percent)s%% positive from %(num)d review.", "Rated %(percent)s%% positive from %(num)d reviews.", rep.reviews, percent=rep.rating) }}</span>
    <span aria-hidden="true"><span class="rating__star">★</span> <strong>{{ _("%(rating)s%% positive", rating=rep.rating) }}</strong> · {{ ngettext("%(num)d review", "%(num)d reviews", rep.reviews) }}</span>
  {%- else -%}
    {{ _("No reviews yet") }}
  {%- endif -%}
{%- endmacro %}

{% macro level_badge(seller, link=false) -%}
  {%- set level = LEVELS_BY_CODE[seller.level] -%}
  {%- if link -%}<a class="badge badge--level badge--{{ level.code }}" href="{{ url_for('pages.levels') }}">{%- else -%}<span class="badge badge--level badge--{{ level.code }}">{%- endif -%}
  <span class="visually-hidden">{{ _("Seller level:") }} </span>{{ level.name }}
  {%- if link %}</a>{% else %}</span>{% endif -%}
{%- endmacro %}

{% macro completed(rep) -%}
  {{ ngettext("%(num)d order completed", "%(num)d orders completed", rep.completed) }}
{%- endmacro %}

{% macro heart(kwork, is_favourite, where="card") %}
  {% set label = _("Save to favourites: %(title)s", title=kwork.title) if where == "card" else _("Save to favourites") %}
  {% if current_user.is_authenticated %}
    <form class="favourite favourite--{{ where }}" method="post" action="{{ url_for('catalog.favourite', kwork_id=kwork.id) }}"
          hx-post="{{ url_for('catalog.favourite', kwork_id=kwork.id) }}" hx-swap="outerHTML">
      <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
      <input type="hidden" name="favourite" value="{{ '0' if is_favourite else '1' }}">
      <input type="hidden" name="where" value="{{ where }}">
      <input type="hidden" name="next" value="{{ request.full_path if request.query_string else request.path }}">
      <button class="favourite__button" type="submit" id="favourite-{{ where }}-{{ kwork.id }}" aria-pressed="{{ 'true' if is_favourite else 'false' }}">
        <svg class="favourite__icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false"><path d="M12 21s-7.5-4.6-9.6-9.2C.9 8.4 3 4.5 6.7 4.5c2.1 0 3.6 1.1 4.3 2.4.7-1.3 2.2-2.4 4.3-2.4 3.7 0 5.8 3.9 4.3 7.3C19.5 16.4 12 21 12 21z"/></svg>
        {% if where == "card" %}<span class="visually-hidden">{{ label }}</span>{% else %}<span class="favourite__text">{{ label }}</span>{% endif %}
      </button>
    </form>
  {% else %}
    <a class="favourite favourite--{{ where }} favourite__button" href="{{ url_for('auth.login', next=url_for('catalog.kwork', kwork_id=kwork.id)) }}">
      <svg class="favourite__icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false"><path d="M12 21s-7.5-4.6-9.6-9.2C.9 8.4 3 4.5 6.7 4.5c2.1 0 3.6 1.1 4.3 2.4.7-1.3 2.2-2.4 4.3-2.4 3.7 0 5.8 3.9 4.3 7.3C19.5 16.4 12 21 12 21z"/></svg>
      {% if where == "card" %}<span class="visually-hidden">{{ _("Log in to save to favourites: %(title)s", title=kwork.title) }}</span>{% else %}<span class="favourite__text">{{ _("Log in to save to favourites") }}</span>{% endif %}
    </a>
  {% endif %}
{% endmacro %}
{% macro kwork_card(card, saved) %}
{%- set kwork = card.kwork %}{% set seller = kwork.seller -%}
<li class="kwork-card card">
  <div class="kwork-card__body">
    <h3 class="kwork-card__title"><a class="kwork-card__link" href="{{ url_for('catalog.kwork', kwork_id=kwork.id) }}">{{ kwork.title }}</a></h3>
    <p class="kwork-card__seller">{{ avatar(seller, 32) }}<span class="visually-hidden">{{ _("by") }} </span><a href="{{ url_for('catalog.seller', user_id=seller.id) }}">{{ seller.display_name }}</a> {{ level_badge(seller) }}</p>
    {% if card.reputation %}
      <p class="kwork-card__rating">{{ rating(card.reputation) }}</p>
      <p class="kwork-card__done">{{ completed(card.reputation) }}</p>
    {% endif %}
    <p class="kwork-card__price"><span class="kwork-card__from">{{ _("From") }}</span> <strong>{{ card.price_from | money }}</strong> <span class="kwork-card__days">· {{ card.delivery_days | days }}</span></p>
  </div>
  {{ heart(kwork, kwork.id in saved) }}
  <div class="kwork-card__media">
    {% if kwork.cover %}{{ picture(kwork.cover, sizes="(max-width: 640px) calc(100vw - 2rem), 300px", alt="", class="kwork-card__image") }}
    {% else %}<span class="kwork-card__placeholder" aria-hidden="true">{{ initials(kwork.title) }}</span>{% endif %}
  </div>
</li>
{%- endmacro %}
"""

MESSAGES_REFERENCE = """{% macro message_item(message) -%}
<li class="message message--{{ message.kind }}" id="message-{{ message.id }}">
  <p class="message__meta">
    <strong>{{ message.author.display_name }}</strong>
    {% if message.kind == 'requirements' %}<span class="message__kind">{{ _('Requirements') }}</span>
    {%- elif message.kind == 'delivery' %}<span class="message__kind">{{ pgettext('kind of message', 'Delivery') }}</span>
    {%- elif message.kind == 'revision_request' %}<span class="message__kind">{{ _('Revision request') }}</span>{% endif %}
    · {{ message.created_at | local_time }}
  </p>
  <div class="message__body">{{ message.body | paragraphs }}</div>
  {% if message.attachments %}
    <ul class="attachments">
      {% for file in message.attachments %}
        <li><a href="{{ url_for('orders.attachment', order_id=message.order_id, attachment_id=file.id) }}" download>{{ file.original_name }}</a> <span class="hint">({{ _("%(size)s KB", size=(file.size / 1024) | round(0, 'ceil') | int) }})</span></li>
      {% endfor %}
    </ul>
  {% endif %}
</li>
{%- endmacro %}
{% macro offer_card(offer, viewer_id, now, level=3) %}<div class="offer-card">#{{ offer.id }} for {{ viewer_id }} at {{ now }}</div>{% endmacro %}
{% macro conversation_message(message, viewer_id, now) -%}
<li class="message{% if message.author_id == viewer_id %} message--mine{% endif %}" id="message-{{ message.id }}">
  <p class="message__meta">
    <strong>{{ _("You") if message.author_id == viewer_id else message.author.display_name }}</strong>
    {% if message.asks_for_offer %}<span class="message__kind">{{ _("Asks for an individual offer") }}</span>{% endif %}
    · {{ message.created_at | local_time }}
  </p>
  {% if message.offer %}
    {{ offer_card(message.offer, viewer_id, now) }}
  {% else %}
    <div class="message__body">{{ message.body | paragraphs }}</div>
  {% endif %}
  {% if message.attachments %}
    <ul class="attachments">
      {% for file in message.attachments %}
        <li><a href="{{ url_for('inbox.attachment', conversation_id=message.conversation_id, attachment_id=file.id) }}" download>{{ file.original_name }}</a> <span class="hint">({{ _("%(size)s KB", size=(file.size / 1024) | round(0, 'ceil') | int) }})</span></li>
      {% endfor %}
    </ul>
  {% endif %}
  {% if message.author_id != viewer_id and not message.offer %}
    <p class="message__actions"><a href="{{ url_for('inbox.report', conversation_id=message.conversation_id, message_id=message.id) }}">{{ _("Report") }}<span class="visually-hidden"> {{ _("the message of %(time)s", time=message.created_at | local_time | striptags) }}</span></a></p>
  {% endif %}
</li>
{%- endmacro %}
"""

SINCE = datetime(2025, 3, 1, tzinfo=timezone.utc)


def same(html) -> str:
    return re.sub(r"\s+", " ", str(html)).strip()


def cards() -> list[CatalogCard]:
    pictured = CardSeller(7, "Anna Petrova", "top", "00000000000000000000000000000abc")
    plain = CardSeller(12, "<b>Boris</b> & \"Co\"", "new", None)
    cover = CardPicture("00000000000000000000000000000def", "A VPS <console>", 1200, 800)
    return [
        CatalogCard(CardKwork(41, "I will set up a VPS server", pictured, cover), 1500, 1, Reputation(98, 120, 340, SINCE, None)),
        CatalogCard(CardKwork(42, "Logo & <brand> \"kit\" 100%", plain, None), 500, 5, Reputation(None, 0, 0, SINCE, None)),
        CatalogCard(CardKwork(43, "Один отзыв", CardSeller(8, "Ирина", "level_1", None), cover), 12_000, 21, Reputation(100, 1, 1, SINCE, None)),
        CatalogCard(CardKwork(44, "Без репутации", CardSeller(9, "Léa", "level_2", "00000000000000000000000000000123"), None), 3, 2),
    ]


@pytest.fixture(params=["visitor", "member"])
def viewer(request, app, make_user):
    user = make_user("Viewer") if request.param == "member" else None
    with app.test_request_context("/catalog/?q=vps&page=2"):
        g._login_user = user if user is not None else login_manager.anonymous_user()
        yield request.param


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_cards_and_their_pieces_are_the_macros_html(app, viewer, language):
    # What the pages' context gave the macros: the viewer, the request and the form token.
    reference = app.jinja_env.from_string(REFERENCE).make_module({"current_user": g._login_user, "request": request, "csrf_token": generate_csrf})
    with force_locale(language):
        for card in cards():
            for saved in (set(), {card.kwork.id}):
                assert same(components.kwork_card(card, saved)) == same(reference.kwork_card(card, saved)), (language, card)
            assert same(components.heart(card.kwork, True, "page")) == same(reference.heart(card.kwork, True, "page"))
            seller = card.kwork.seller
            for link in (False, True):
                assert same(components.level_badge(seller, link)) == same(reference.level_badge(seller, link))
            assert same(components.avatar(seller, 96, alt="Anna")) == same(reference.avatar(seller, 96, "Anna"))
            if card.reputation:
                assert same(components.rating(card.reputation)) == same(reference.rating(card.reputation))
                assert same(components.completed(card.reputation)) == same(reference.completed(card.reputation))
            if card.kwork.cover:
                for eager, alt in ((True, None), (False, "")):
                    mine = components.picture(card.kwork.cover, "(max-width: 640px) 100vw, 720px", alt=alt, eager=eager, class_="gallery")
                    theirs = reference.picture(card.kwork.cover, "(max-width: 640px) 100vw, 720px", alt=alt, eager=eager, **{"class": "gallery"})
                    assert same(mine) == same(theirs)


def test_values_are_escaped(app, make_user):
    with app.test_request_context("/catalog/"):
        g._login_user = make_user("Member")
        html = str(components.kwork_card(cards()[1], set()))
    assert "<b>Boris" not in html and "&lt;b&gt;Boris&lt;/b&gt; &amp; &#34;Co&#34;" in html
    assert "Logo &amp; &lt;brand&gt; &#34;kit&#34; 100%" in html


def _messages(viewer_id: int) -> list[SimpleNamespace]:
    files = [SimpleNamespace(id=5, original_name="brief <v2>.pdf", size=1), SimpleNamespace(id=6, original_name="logo.png", size=2049)]
    author = SimpleNamespace(display_name="<i>Anna</i> & Co")
    offer = SimpleNamespace(id=77)
    made = []
    for number, kind in enumerate(("text", "requirements", "delivery", "revision_request", "text", "text")):
        made.append(SimpleNamespace(
            id=100 + number, kind=kind, author=author, author_id=viewer_id if number % 2 else viewer_id + 1,
            created_at=SINCE + timedelta(days=number, hours=number * 5), body="First line & <b>more</b>\n\n  \nSecond line",
            attachments=files if number in (1, 2) else [], order_id=9, conversation_id=4,
            asks_for_offer=number == 3, offer=offer if number == 4 else None,
        ))  # fmt: skip
    return made


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_messages_are_the_macros_html(app, make_user, language):
    user = make_user("Viewer")
    with app.test_request_context("/orders/9"):
        g._login_user = user
        reference = app.jinja_env.from_string(MESSAGES_REFERENCE).make_module({"current_user": user, "request": request})
        with force_locale(language):
            for message in _messages(user.id):
                assert same(components.order_message(message)) == same(reference.message_item(message)), (language, message.kind)
                mine = components.conversation_message(message, user.id, SINCE, reference.offer_card)
                assert same(mine) == same(reference.conversation_message(message, user.id, SINCE)), (language, message.id)
