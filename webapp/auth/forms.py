from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length


class RegisterForm(FlaskForm):
    display_name = StringField(
        "Display name",
        validators=[DataRequired("Enter your display name"), Length(max=60, message="Display name must be 60 characters or fewer")],
        description="Buyers and sellers see this name.",
    )
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address"),
            Email("Enter an email address in the correct format, like name@example.com", check_deliverability=False),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter a password")],
        description="At least 10 characters. A few unrelated words make a strong password.",
    )
    confirm = PasswordField(
        "Confirm password",
        validators=[DataRequired("Enter the password again"), EqualTo("password", "The passwords do not match")],
    )


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])
    remember = BooleanField("Keep me logged in on this device")
