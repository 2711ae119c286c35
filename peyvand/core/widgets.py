"""Widgets Django's form fields get in place of their own (core.apps). Nothing here
imports a form: core.apps swaps the widgets in before any form class is built."""

from django import forms


class NumberTextInput(forms.TextInput):
    """A number typed into a text input, on a phone with the numeric keyboard: the
    widget of every integer, decimal and float field (core.apps), so that its value shows
    in the reader's digits like every other text on the page."""

    mode = "numeric"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": self.mode, **(attrs or {})})
