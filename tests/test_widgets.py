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
