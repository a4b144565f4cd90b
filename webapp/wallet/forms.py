from flask_wtf import FlaskForm

from ..forms import WholeNumberField


class TopUpForm(FlaskForm):
    amount = WholeNumberField("Amount", example="5000", description="Between 100 and 500,000.")
