from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from ..forms import WholeNumberField

from ..models.accounts import ROLES


TIME_ZONES = sorted(zone for zone in available_timezones() if "/" in zone and not zone.startswith(("Etc/", "SystemV/")))


class ProfileForm(FlaskForm):
    display_name = StringField(
        "Display name",
        validators=[DataRequired("Enter your display name"), Length(max=60, message="Display name must be 60 characters or fewer")],
    )
    about = TextAreaField(
        "About you",
        validators=[Length(max=2000, message="About you must be 2,000 characters or fewer")],
        description="What you do and how you work. You can enter up to 2,000 characters.",
    )
    working_hours = StringField(
        "Working hours",
        validators=[Length(max=120, message="Working hours must be 120 characters or fewer")],
        description="For example: Monday to Friday, 10:00–19:00 Moscow time",
    )
    timezone = SelectField(
        "Time zone",
        choices=[(zone, zone.replace("_", " ")) for zone in TIME_ZONES],
        validate_choice=False,
        validators=[AnyOf(TIME_ZONES, message="Select a time zone from the list")],
        description="Deadlines and dates are shown in this time zone.",
    )
    not_accepting = BooleanField(
        "Not taking new orders today",
        description="Buyers still see your kworks, with a note that you are not taking orders right now.",
    )


class RoleForm(FlaskForm):
    role = HiddenField(validators=[AnyOf(ROLES)])


class PhoneForm(FlaskForm):
    phone = StringField(
        "Phone number",
        description="With the country code, like +44 20 7946 0958. We call it and speak a code; any country works.",
    )


class CodeForm(FlaskForm):
    code = StringField("Code from the call", description="The 6 digits you heard. It is valid for 10 minutes.")


class CardForm(FlaskForm):
    card_number = StringField("Card number", description="We keep only the last 4 digits; the number itself is not stored.")


class EWalletForm(FlaskForm):
    provider = SelectField(
        "E-wallet",
        choices=[("", "Select a provider"), ("yoomoney", "YooMoney"), ("webmoney", "WebMoney"), ("paypal", "PayPal")],
        validate_choice=False,
    )
    account_id = StringField("Account", description="YooMoney: 410011234567890 · WebMoney: Z123456789012 · PayPal: your e-mail.")


class WithdrawForm(FlaskForm):
    detail_id = SelectField("Send to", coerce=lambda v: int(v) if v not in (None, "", "None") else None, validate_choice=False)
    amount = WholeNumberField("Amount", example="5000")


class BlockForm(FlaskForm):
    reason = RadioField("Why are you blocking this buyer?", validate_choice=False)
