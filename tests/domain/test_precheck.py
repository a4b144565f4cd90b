import pytest

from webapp.domain.precheck import check


@pytest.mark.parametrize(
    "text, rule",
    [
        ("Contact me at anna.petrova@example.com for details", "An e-mail address"),
        ("Звоните: +7 (912) 345-67-89", "A phone number"),
        ("Call 020 7946 0958 any time", "A phone number"),
        ("Пишите в телеграм @anna_dev", "A messenger handle or link"),
        ("Find me on t.me/annadev", "A messenger handle or link"),
        ("Write to me on WhatsApp", "A messenger handle or link"),
        ("Please message me first so we can agree on the scope", "Asks buyers to write before ordering"),
        ("Перед заказом напишите мне, обсудим детали", "Asks buyers to write before ordering"),
        ("Пишите мне до заказа!", "Asks buyers to write before ordering"),
    ],
)
def test_flags_contact_details_and_pre_order_contact_in_english_and_russian(text, rule):
    assert rule in [flag.rule for flag in check(text)]


@pytest.mark.parametrize(
    "text",
    [
        "I will set up a VPS server with Ubuntu 24.04 and nginx 1.26 in 2 days.",
        "Настрою сервер, установлю SSL-сертификат и резервное копирование за 3 дня.",
        "Three logo concepts, 1920x1080 previews, delivered in 5 days.",
        "Send the requirements after ordering; I reply within 2 hours.",
    ],
)
def test_ordinary_descriptions_pass(text):
    assert check(text) == []


def test_flags_name_what_triggered_them():
    [flag] = check("Mail me: bob@example.org")
    assert flag.excerpt == "bob@example.org"
