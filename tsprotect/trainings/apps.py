from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingsConfig(AppConfig):
    name = "tsprotect.trainings"
    label = "trainings"
    verbose_name = _("Trainings and publicity")

    def ready(self):
        from . import contributions

        contributions.register()

        # The public home lists the upcoming events when the publicity app is there.
        try:
            from tsprotect.publicity import home
        except ImportError:
            return
        from .public import upcoming_section

        if not any(section[1] == "trainings/_upcoming.html" for section in home.SECTIONS):
            home.SECTIONS.append(upcoming_section())
