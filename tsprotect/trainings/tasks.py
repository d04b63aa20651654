from celery import shared_task

from . import services


@shared_task(acks_late=True)
def send_training_reminders():
    """Daily: remind the enterprise users signed up for tomorrow's events. Safe to run again
    (one reminder per event and user)."""
    return services.send_reminders()
