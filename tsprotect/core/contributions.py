"""What each app brings to the shared pages and commands, registered from its AppConfig.ready().

Core renders what is registered and imports no business app: the menu (navigation.py), the
workbench cards (home.py), the panels of the enterprise record (enterprises/views.py), and the
steps of `seed_demo` and `seed_scale`. See docs/architecture.md for how an app plugs in.

Registration closes the first time anything is read (after every app is ready), so a late
registration fails loudly instead of showing on some pages and not others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

# The regions of the enterprise record that take panels.
RECORD_REGIONS = (
    "risk_actions",  # inline, beside the record's risk tier
    "main",  # full-width panels between the record's facts and its dossier
)


class RegistryError(RuntimeError):
    pass


def _always(user) -> bool:
    return True


@dataclass(frozen=True)
class MenuEntry:
    url_name: str
    label: Any  # a lazy translation
    visible: Callable[[Any], bool]
    order: int


@dataclass(frozen=True)
class Template:
    """A card or a panel: `context` returns the template's context, or None to leave it out."""

    template: str
    context: Callable[..., dict | None]
    order: int
    region: str = ""


@dataclass(frozen=True)
class Rendered:
    template: str
    context: dict


@dataclass(frozen=True)
class Step:
    name: str
    function: Callable[..., Any]
    after: tuple[str, ...] = ()
    # seed_scale only: options of the step's own, a check before anything is deleted, and the
    # removal of earlier rows (run in reverse order, dependants first).
    arguments: Callable[[Any], None] | None = None
    check: Callable[..., None] | None = None
    reset: Callable[..., None] | None = None


@dataclass
class Registry:
    menu: list[MenuEntry] = field(default_factory=list)
    cards: list[Template] = field(default_factory=list)
    panels: list[Template] = field(default_factory=list)
    demo: list[Step] = field(default_factory=list)
    scale: list[Step] = field(default_factory=list)
    frozen: bool = False

    def _open(self):
        if self.frozen:
            raise RegistryError(
                "Contributions are registered in AppConfig.ready(); the registry is already in use."
            )

    def _close(self):
        self.frozen = True

    # Registration

    def menu_entry(self, url_name, label, *, visible=_always, order):
        self._open()
        self.menu.append(MenuEntry(url_name, label, visible, order))

    def workbench_card(self, template, context, *, order):
        self._open()
        self.cards.append(Template(template, context, order))

    def record_panel(self, template, context, *, order, region="main"):
        self._open()
        if region not in RECORD_REGIONS:
            raise RegistryError(f"Unknown region {region!r} of the enterprise record.")
        self.panels.append(Template(template, context, order, region))

    def demo_step(self, name, function, *, after=()):
        self._open()
        self._add_step(self.demo, Step(name, function, tuple(after)))

    def scale_step(self, name, load, *, after=(), arguments=None, check=None, reset=None):
        self._open()
        self._add_step(self.scale, Step(name, load, tuple(after), arguments, check, reset))

    @staticmethod
    def _add_step(steps, step):
        if any(s.name == step.name for s in steps):
            raise RegistryError(f"A step named {step.name!r} is already registered.")
        steps.append(step)

    # Reading

    def menu_for(self, user) -> list[MenuEntry]:
        self._close()
        return [entry for entry in _sorted(self.menu) if entry.visible(user)]

    def workbench_cards(self, request) -> list[Rendered]:
        self._close()
        return _rendered(self.cards, request)

    def record_panels(self, request, enterprise) -> dict[str, list[Rendered]]:
        self._close()
        return {
            region: _rendered([p for p in self.panels if p.region == region], request, enterprise)
            for region in RECORD_REGIONS
        }

    def demo_steps(self) -> list[Step]:
        self._close()
        return ordered_steps(self.demo)

    def scale_steps(self) -> list[Step]:
        self._close()
        return ordered_steps(self.scale)


def _sorted(items):
    # sorted() is stable: equal orders keep the order of registration.
    return sorted(items, key=lambda item: item.order)


def _rendered(templates, *args) -> list[Rendered]:
    shown = []
    for item in _sorted(templates):
        context = item.context(*args)
        if context is not None:
            shown.append(Rendered(item.template, context))
    return shown


def ordered_steps(steps: Iterable[Step]) -> list[Step]:
    """The steps with each after the ones it names; otherwise in the order registered.

    Refuses a step that names an unknown step or that ends up waiting for itself."""
    steps = list(steps)
    names = {step.name for step in steps}
    for step in steps:
        unknown = [name for name in step.after if name not in names]
        if unknown:
            raise RegistryError(
                f"Step {step.name!r} runs after {', '.join(map(repr, unknown))}, "
                "which no app registers."
            )
    done: set[str] = set()
    ordered: list[Step] = []
    waiting = steps
    while waiting:
        ready = next((s for s in waiting if done.issuperset(s.after)), None)
        if ready is None:
            raise RegistryError(
                "These steps wait for each other in a cycle: "
                + ", ".join(f"{s.name} (after {', '.join(s.after)})" for s in waiting)
            )
        ordered.append(ready)
        done.add(ready.name)
        waiting = [s for s in waiting if s is not ready]
    return ordered


registry = Registry()

menu_entry = registry.menu_entry
workbench_card = registry.workbench_card
record_panel = registry.record_panel
demo_step = registry.demo_step
scale_step = registry.scale_step
