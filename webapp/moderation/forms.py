from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length


class RejectForm(FlaskForm):
    reason = TextAreaField(
        "Reason the seller will see",
        validators=[DataRequired("Enter the reason the seller will see"), Length(max=1000, message="Reason must be 1,000 characters or fewer")],
        description="Say what to change so the kwork can be approved.",
    )
