from celery import shared_task

from . import services


@shared_task(acks_late=True)
def send_deadline_reminders():
    """Daily: remind the officers responsible of the clocks due today or tomorrow, or overdue.
    Safe to run again (one reminder per clock and day)."""
    return services.send_reminders()


@shared_task(acks_late=True)
def refresh_open_clocks():
    """Nightly: recompute the open complaints' deadlines, so a calendar correction by
    provincial staff (a holiday moved, a make-up workday added) reaches every clock."""
    return services.refresh_open_clocks()
