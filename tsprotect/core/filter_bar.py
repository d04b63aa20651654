"""The drop-downs of a filter bar on a list page without a FilterSet (includes/filter_bar.html)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FilterSelect:
    """One drop-down: the query parameter ``name``, its label, its ``(value, text)`` choices and
    the value the request asked for. An empty first option stands for "any"."""

    name: str
    label: str
    choices: tuple
    selected: str = ""

    def __post_init__(self):
        # The query string gives text: compare the choices as text (years, division codes).
        object.__setattr__(self, "choices", tuple((str(v), text) for v, text in self.choices))
