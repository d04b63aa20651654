"""The fast select renders the same HTML as Django's own, escaping included."""

from django import forms
from django.test.html import parse_html

from tsprotect.core.widgets import FastSelect

CHOICES = [("", "---------"), ("430100", "长沙市"), ('x"<', "<script>&")]


def test_it_renders_like_djangos_select():
    for value in ("", "430100", 'x"<', None):
        attrs = {"id": "id_prefecture", "class": "a&b"}
        ours = FastSelect(choices=CHOICES).render("prefecture", value, attrs)
        theirs = forms.Select(choices=CHOICES).render("prefecture", value, attrs)
        assert parse_html(ours) == parse_html(theirs), value
    assert "<script>" not in FastSelect(choices=CHOICES).render("p", None)


def test_it_renders_groups_and_model_choices_like_djangos_select(regions):
    from tsprotect.regions.models import County

    grouped = [
        ("", "---------"),
        ("长沙市", [("430102", "芙蓉区"), ("430104", "岳麓区")]),
        ("<岳阳>", [("430602", "岳阳楼区")]),
        (None, "none"),
    ]
    model_choices = forms.ModelChoiceField(County.objects.filter(prefecture="430100")).choices
    for choices in (grouped, model_choices):
        for value in ("", "430104", None, "nowhere"):
            ours = FastSelect(choices=choices).render("county", value, {"required": True})
            theirs = forms.Select(choices=choices).render("county", value, {"required": True})
            assert parse_html(ours) == parse_html(theirs), value


def test_a_multiple_select_selects_every_value():
    values = ["430100", 'x"<']
    ours = forms.SelectMultiple(choices=CHOICES).render("p", values)
    fast = type("FastMultiple", (FastSelect,), {"allow_multiple_selected": True})
    assert parse_html(fast(choices=CHOICES).render("p", values)) == parse_html(ours)
