"""Form helpers shared by every app."""

from django.core.exceptions import ValidationError


def add_errors(form, error: ValidationError):
    """Show a service's refusal on the fields it names, the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
