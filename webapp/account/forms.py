from zoneinfo import available_timezones

from flask_babel import format_number
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from ..auth.forms import new_password_fields
from ..forms import IdSelectField, WholeNumberField

from ..models.accounts import ROLES
from ..texts import lazy_gettext as _l


# "2,000" in English, "2 000" in Russian: formatted when the message is shown, in the page's language.
ABOUT_MAX = LazyString(format_number, 2000)

TIME_ZONES = sorted(zone for zone in available_timezones() if "/" in zone and not zone.startswith(("Etc/", "SystemV/")))


class ProfileForm(FlaskForm):
    display_name = StringField(
        _l("Display name"),
        validators=[DataRequired(_l("Enter your display name")), Length(max=60, message=_l("Display name must be %(max)s characters or fewer", max=60))],
    )
    about = TextAreaField(
        _l("About you"),
        validators=[Length(max=2000, message=_l("About you must be %(max)s characters or fewer", max=ABOUT_MAX))],
        description=_l("What you do and how you work. You can enter up to %(max)s characters.", max=ABOUT_MAX),
    )
    working_hours = StringField(
        _l("Working hours"),
        validators=[Length(max=120, message=_l("Working hours must be %(max)s characters or fewer", max=120))],
        description=_l("For example: Monday to Friday, 10:00–19:00 Moscow time"),
    )
    timezone = SelectField(
        _l("Time zone"),
        choices=[(zone, zone.replace("_", " ")) for zone in TIME_ZONES],
        validate_choice=False,
        validators=[AnyOf(TIME_ZONES, message=_l("Select a time zone from the list"))],
        description=_l("Deadlines and dates are shown in this time zone."),
    )


class DayField(DateField):
    """A date (YYYY-MM-DD, what <input type=date> sends); anything else is an error on the field in the page's language."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a date, for example 2026-12-12")) from None


class AwayForm(FlaskForm):
    away_from = DayField(_l("First day away"), validators=[Optional()])
    away_until = DayField(_l("Back on"), validators=[Optional()],
                           description=_l("The first day you take orders again. Buyers see this date on your kworks."))
    away_message = TextAreaField(_l("Message to buyers (optional)"), validators=[Length(max=300)],
                                 description=_l("For example, who to contact meanwhile. Up to 300 characters."))


class RoleForm(FlaskForm):
    role = HiddenField(validators=[AnyOf(ROLES)])


class PhoneForm(FlaskForm):
    phone = StringField(
        _l("Phone number"),
        description=_l("With the country code, like %(example)s. We call it and speak a code; any country works.", example="+44 20 7946 0958"),
    )


class CodeForm(FlaskForm):
    code = StringField(_l("Code from the call"), description=_l("The %(digits)s digits you heard. It is valid for %(minutes)s minutes.", digits=6, minutes=10))


class CardForm(FlaskForm):
    card_number = StringField(_l("Card number"), description=_l("We keep only the last 4 digits; the number itself is not stored."))


class EWalletForm(FlaskForm):
    provider = SelectField(
        _l("E-wallet"),
        choices=[("", _l("Select a provider")), ("yoomoney", "YooMoney"), ("webmoney", "WebMoney"), ("paypal", "PayPal")],
        validate_choice=False,
    )
    account_id = StringField(_l("Account"), description=_l("YooMoney: %(yoomoney)s · WebMoney: %(webmoney)s · PayPal: your e-mail.", yoomoney="410011234567890", webmoney="Z123456789012"))


class WithdrawForm(FlaskForm):
    detail_id = IdSelectField(_l("Send to"), invalid=_l("Select where to send the money"))
    amount = WholeNumberField(_l("Amount"), example="5000")


class BlockForm(FlaskForm):
    reason = RadioField(_l("Why are you blocking this buyer?"), validate_choice=False)


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your current password"))])
    password, confirm = new_password_fields()


class AvatarForm(FlaskForm):
    avatar = FileField(_l("Profile picture"), description=_l("A PNG, JPEG, GIF or WebP image, at least 64 × 64 pixels, smaller than 5 MB. "
                                                             "It is cropped to a square from the centre."))
