"""What the information platform brings to the shared pages and commands (see
core.contributions). Imported by PublicityConfig.ready(), once every app's models are loaded."""

from django.utils.translation import gettext_lazy as _

from tsprotect.core import contributions

from . import demo


def register():
    contributions.menu_entry(
        "publicity:notice_list", _("Notices"), visible=lambda user: user.is_province, order=90
    )
    contributions.demo_step("notices", _seed_demo, after=("users",))


def _seed_demo():
    demo.seed()
