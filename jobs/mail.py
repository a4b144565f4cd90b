from . import app_context


def send_notification_email(notification_id: int) -> bool:
    with app_context():
        from webapp.services import notifications

        return notifications.send_email(notification_id)
