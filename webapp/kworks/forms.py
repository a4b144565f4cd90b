from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, FieldList, Form, FormField, RadioField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import URL, DataRequired, Length, Optional

from ..domain.tiers import LIMITS, TIER_LEVELS, TIER_NAMES, KworkDraft, OptionDraft, TierDraft
from ..forms import WholeNumberField


def _optional_id(value):
    return int(value) if value not in (None, "", "None") else None


class TierForm(Form):
    price = WholeNumberField("Price", example="1500")
    delivery_days = WholeNumberField("Delivery time in days", example="3")
    revisions = WholeNumberField("Number of revisions", example="2")
    description = StringField("Short description")


class OptionRowForm(Form):
    name = StringField("Option name")
    economy = BooleanField("Economy")
    standard = BooleanField("Standard")
    business = BooleanField("Business")


class KworkForm(FlaskForm):
    """The kwork editor. Presence and tier rules are checked by domain.tiers, not here, so drafts can be partial."""

    title = StringField(
        "Title",
        description=f"Say what you will do, like “I will set up a VPS server”. Up to {LIMITS['title']} characters.",
    )
    category_id = SelectField("Category", coerce=_optional_id, validate_choice=False)
    description = TextAreaField(
        "Description", description=f"What the buyer gets and how you work. Up to {LIMITS['description']:,} characters."
    )
    buyer_instructions = TextAreaField(
        "What I need from the buyer to start",
        description="Buyers see this when they order and answer it in their requirements.",
    )
    is_packaged = RadioField(
        "How many packages do you offer?",
        choices=[("yes", "Three packages: Economy, Standard and Business"), ("no", "One package")],
        default="yes",
    )
    economy = FormField(TierForm)
    standard = FormField(TierForm)
    business = FormField(TierForm)
    options = FieldList(FormField(OptionRowForm))

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category_id.choices = [("", "Select a category")] + [(c.id, c.name) for c in categories]
        for level in TIER_LEVELS:
            tier = self[level].form
            name = TIER_NAMES[level] if self.packaged else "Package"
            tier.price.label.text = f"{name} price"
            tier.delivery_days.label.text = f"{name} delivery time in days"
            tier.revisions.label.text = f"{name} number of revisions"
            tier.description.label.text = f"{name} short description"

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
        return KworkDraft(
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
        }
        for level, tier in draft.tiers.items():
            data[level] = tier  # FormField reads a tier draft by attribute
        return data


class DeleteKworkForm(FlaskForm):
    portfolio = RadioField(
        "What should happen to this kwork’s portfolio items?",
        choices=[
            ("keep", "Keep them in my portfolio"),
            ("delete", "Delete them too"),
        ],
        validators=[DataRequired("Select what should happen to the portfolio items")],
    )


class PortfolioItemForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[DataRequired("Enter a title for the portfolio item"), Length(max=80, message="Title must be 80 characters or fewer")],
    )
    kwork_id = SelectField("Show it on a kwork", coerce=_optional_id, validate_choice=False)
    image = FileField("Image", description="A PNG, JPEG, GIF or WebP file smaller than 5 MB.")
    link_url = URLField(
        "Or a link to the work",
        validators=[Optional(), URL(message="Enter a link that starts with https://"), Length(max=500)],
        description="For example, a website you built.",
    )
