from flask_babel import format_number
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, FieldList, Form, FormField, RadioField, StringField, TextAreaField, URLField
from wtforms.validators import URL, DataRequired, Length, Optional

from ..domain.extras import MAX_EXTRA_DAYS, MAX_EXTRA_PRICE, MAX_EXTRA_QUANTITY, ExtraDraft
from ..domain.tiers import LIMITS, MAX_DAYS, MAX_PRICE, MAX_REVISIONS, TIER_LEVELS, TIER_NAMES, KworkDraft, OptionDraft, TierDraft
from ..forms import IdSelectField, WholeNumberField
from ..texts import gettext as _
from ..texts import lazy_gettext as _l


class TierForm(Form):
    price = WholeNumberField(_l("Price"), example="1500", maximum=MAX_PRICE)
    delivery_days = WholeNumberField(_l("Delivery time in days"), example="3", maximum=MAX_DAYS)
    revisions = WholeNumberField(_l("Number of revisions"), example="2", maximum=MAX_REVISIONS)
    description = StringField(_l("Short description"))


class OptionRowForm(Form):
    name = StringField(_l("Option name"))
    economy = BooleanField(TIER_NAMES["economy"])
    standard = BooleanField(TIER_NAMES["standard"])
    business = BooleanField(TIER_NAMES["business"])


class ExtraForm(Form):
    """One paid extra; the editor names each input after its extra ("Extra 2 price")."""

    title = StringField(_l("Title"))
    price = WholeNumberField(_l("Price"), example="500", maximum=MAX_EXTRA_PRICE)
    days = WholeNumberField(_l("Days it adds to delivery"), example="1", maximum=MAX_EXTRA_DAYS)
    quantity_allowed = BooleanField(_l("The buyer may choose a quantity"))
    max_quantity = WholeNumberField(_l("Maximum quantity"), example="5", maximum=MAX_EXTRA_QUANTITY)


class KworkForm(FlaskForm):
    """The kwork editor. Presence and tier rules are checked by domain.tiers, not here, so drafts can be partial."""

    title = StringField(
        _l("Title"),
        description=_l("Say what you will do, like “I will set up a VPS server”. Up to %(max)s characters.", max=LIMITS["title"]),
    )
    category_id = IdSelectField(_l("Category"), invalid=_l("Select a category from the list"))
    description = TextAreaField(
        _l("Description"),
        description=_l("What the buyer gets and how you work. Up to %(max)s characters.", max=LazyString(format_number, LIMITS["description"])),
    )
    buyer_instructions = TextAreaField(
        _l("What I need from the buyer to start"),
        description=_l("Buyers see this when they order and answer it in their requirements."),
    )
    is_packaged = RadioField(
        _l("How many packages do you offer?"),
        choices=[("yes", _l("Three packages: Economy, Standard and Business")), ("no", _l("One package"))],
        default="yes",
    )
    economy = FormField(TierForm)
    standard = FormField(TierForm)
    business = FormField(TierForm)
    options = FieldList(FormField(OptionRowForm))
    extras = FieldList(FormField(ExtraForm))

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category_id.choices = [("", _("Select a category"))] + [(c.id, c.label) for c in categories]
        for level in TIER_LEVELS:
            tier = self[level].form
            # Each input's accessible name says which package it belongs to (the table hides the labels).
            if self.packaged:
                name = TIER_NAMES[level]
                tier.price.label.text = _("%(tier)s price", tier=name)
                tier.delivery_days.label.text = _("%(tier)s delivery time in days", tier=name)
                tier.revisions.label.text = _("%(tier)s number of revisions", tier=name)
                tier.description.label.text = _("%(tier)s short description", tier=name)
            else:
                tier.price.label.text = _("Package price")
                tier.delivery_days.label.text = _("Package delivery time in days")
                tier.revisions.label.text = _("Package number of revisions")
                tier.description.label.text = _("Package short description")
        self.name_extras()

    def name_extras(self) -> None:
        """Each extra's inputs say which extra they belong to ("Extra 2 price")."""
        for number, entry in enumerate(self.extras.entries, start=1):
            extra = entry.form
            extra.title.label.text = _("Extra %(number)s title", number=number)
            extra.price.label.text = _("Extra %(number)s price", number=number)
            extra.days.label.text = _("Extra %(number)s: days it adds to delivery", number=number)
            extra.quantity_allowed.label.text = _("Extra %(number)s: the buyer may choose a quantity", number=number)
            extra.max_quantity.label.text = _("Extra %(number)s maximum quantity", number=number)

    @property
    def packaged(self) -> bool:
        return self.is_packaged.data != "no"

    def to_draft(self) -> KworkDraft:
        tiers = {
            level: TierDraft(
                level,
                self[level].form.price.data,
                self[level].form.delivery_days.data,
                self[level].form.revisions.data,
                self[level].form.description.data or "",
            )
            for level in TIER_LEVELS
        }
        options = [
            OptionDraft(row.form.name.data or "", frozenset(level for level in TIER_LEVELS if row.form[level].data))
            for row in self.options
        ]
        extras = [
            ExtraDraft(row.form.title.data or "", row.form.price.data, row.form.days.data,
                       bool(row.form.quantity_allowed.data), row.form.max_quantity.data)  # fmt: skip
            for row in self.extras
        ]
        return KworkDraft(
            extras=extras,
            title=self.title.data or "",
            category_id=self.category_id.data,
            description=self.description.data or "",
            buyer_instructions=self.buyer_instructions.data or "",
            is_packaged=self.packaged,
            tiers=tiers,
            options=options,
        )

    @staticmethod
    def data_from_draft(draft: KworkDraft) -> dict:
        data = {
            "title": draft.title,
            "category_id": draft.category_id,
            "description": draft.description,
            "buyer_instructions": draft.buyer_instructions,
            "is_packaged": "yes" if draft.is_packaged else "no",
            "options": [
                {"name": option.name, **{level: level in option.levels for level in TIER_LEVELS}}
                for option in draft.options
            ],
            "extras": [
                {"title": extra.title, "price": extra.price, "days": extra.days,
                 "quantity_allowed": extra.quantity_allowed, "max_quantity": extra.max_quantity}  # fmt: skip
                for extra in draft.extras
            ],
        }
        for level, tier in draft.tiers.items():
            data[level] = tier  # FormField reads a tier draft by attribute
        return data


class DeleteKworkForm(FlaskForm):
    portfolio = RadioField(
        _l("What should happen to this kwork’s portfolio items?"),
        choices=[
            ("keep", _l("Keep them in my portfolio")),
            ("delete", _l("Delete them too")),
        ],
        validators=[DataRequired(_l("Select what should happen to the portfolio items"))],
    )


class PortfolioItemForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Enter a title for the portfolio item")),
                    Length(max=80, message=_l("Title must be %(max)s characters or fewer"))],  # fmt: skip
    )
    kwork_id = IdSelectField(_l("Show it on a kwork"), invalid=_l("Select a kwork from the list"))
    image = FileField(_l("Image"), description=_l("A PNG, JPEG, GIF or WebP file smaller than 5 MB."))
    link_url = URLField(
        _l("Or a link to the work"),
        validators=[Optional(), URL(message=_l("Enter a link that starts with https://")), Length(max=500)],
        description=_l("For example, a website you built."),
    )


ALT_HINT = _l(
    "Say what the picture shows, as you would to someone on the phone: for example “Landing page for a bakery, "
    "shown on a laptop and a phone”. Leave out “picture of”, and put any words in the picture into the text. "
    "Up to 250 characters."
)


class PictureForm(FlaskForm):
    image = FileField(_l("Picture"), description=_l("A PNG, JPEG, GIF or WebP image, at least 320 × 180 pixels, smaller than 5 MB. "
                                                     "A landscape picture (4:3) looks best on catalog cards."))
    alt = TextAreaField(_l("Describe the picture (alternative text)"), description=ALT_HINT)
    cover = BooleanField(_l("Make it the cover"), description=_l("The cover is shown on catalog cards and first on the kwork’s page."))


class PictureAltForm(FlaskForm):
    alt = TextAreaField(_l("Alternative text"), description=ALT_HINT)
