from . import app_context


def send_notification_email(notification_id: int) -> bool:
    with app_context():
        from webapp.services import notifications

        return notifications.send_email(notification_id)


def send_notification_emails(notification_ids: list[int]) -> int:
    """Many notifications' e-mails in one job (a batch such as the daily level changes); returns how many went out.
    A failure raises and RQ retries the job: the ones already sent are not sent again (each records emailed_at)."""
    with app_context():
        from webapp.services import notifications

        return sum(notifications.send_email(notification_id) for notification_id in notification_ids)


def send_account_email(email_id: int) -> bool:
    """Address confirmation, password reset and the other e-mails about the account (webapp/services/account_mail.py)."""
    with app_context():
        from webapp.clock import now
        from webapp.services import account_mail

        return account_mail.send(email_id, now())
