from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..texts import lazy_gettext as _l

PASSWORD_HINT = _l("At least 10 characters. A few unrelated words make a strong password; common passwords are refused.")


def email_field(label=None):
    return EmailField(
        label or _l("Email address"),
        validators=[
            DataRequired(_l("Enter your email address")),
            Email(_l("Enter an email address in the correct format, like name@example.com"), check_deliverability=False),
            Length(max=254, message=_l("Email address must be 254 characters or fewer")),
        ],
    )


def new_password_fields():
    """The new password twice (the rules themselves are the service's: webapp/domain/passwords.py)."""
    return (
        PasswordField(_l("New password"), validators=[DataRequired(_l("Enter a new password"))], description=PASSWORD_HINT),
        PasswordField(_l("Confirm new password"), validators=[DataRequired(_l("Enter the new password again")),
                                                             EqualTo("password", _l("The passwords do not match"))]),  # fmt: skip
    )


class RegisterForm(FlaskForm):
    display_name = StringField(
        _l("Display name"),
        validators=[DataRequired(_l("Enter your display name")), Length(max=60, message=_l("Display name must be 60 characters or fewer"))],
        description=_l("Buyers and sellers see this name."),
    )
    email = email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter a password"))],
        description=PASSWORD_HINT,
    )
    confirm = PasswordField(
        _l("Confirm password"),
        validators=[DataRequired(_l("Enter the password again")), EqualTo("password", _l("The passwords do not match"))],
    )


class LoginForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(_l("Enter your email address"))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password"))])
    remember = BooleanField(_l("Keep me logged in on this device"))


class ForgotPasswordForm(FlaskForm):
    email = email_field()


class ResetPasswordForm(FlaskForm):
    password, confirm = new_password_fields()
