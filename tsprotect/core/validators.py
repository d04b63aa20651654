from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError


def normalise_uscc(value: str) -> str:
    return stdnum_uscc.compact(value or "")


def validate_uscc(value: str) -> None:
    """A unified social credit code per GB 32100-2015, check character included.

    python-stdnum accepts codes of registration authorities 1–9 (enterprises 91/92/93,
    associations 51, …); codes issued by authorities with a letter (N, Y) are refused.
    """
    try:
        stdnum_uscc.validate(value)
    except InvalidLength:
        raise ValidationError(
            _("A unified social credit code has 18 characters."), code="uscc_length"
        ) from None
    except InvalidChecksum:
        raise ValidationError(
            _(
                "The check character of this unified social credit code is wrong; please check "
                "the code against the business licence."
            ),
            code="uscc_checksum",
        ) from None
    except StdnumError:
        raise ValidationError(
            _("This is not a valid unified social credit code."), code="uscc_invalid"
        ) from None


def uscc_division_code(value: str) -> str:
    """The six division digits (characters 3–8) of a credit code."""
    return normalise_uscc(value)[2:8]


def make_uscc(division: str, organisation: str, registration: str = "91") -> str:
    """A credit code with its check character, for demo, scale and test data.

    ``registration`` is the authority and kind (91: enterprise registered with market
    regulation), ``division`` the six-digit division code, ``organisation`` nine characters.
    """
    body = f"{registration}{division}{organisation}"
    return body + stdnum_uscc.calc_check_digit(body)


def normalise_ric(value: str) -> str:
    """A resident identity card number without spaces, its check character upper case."""
    return stdnum_ric.compact(value or "").upper()


def validate_ric(value: str) -> None:
    """A resident identity card number (GB 11643-1999): 18 characters, a real birth date, and
    the ISO 7064 MOD 11-2 check character."""
    try:
        stdnum_ric.validate(value)
    except InvalidLength:
        raise ValidationError(
            _("A resident identity card number has 18 characters."), code="ric_length"
        ) from None
    except InvalidChecksum:
        raise ValidationError(
            _("The check character of this ID number is wrong; please check it against the card."),
            code="ric_checksum",
        ) from None
    except StdnumError:
        raise ValidationError(_("This is not a valid ID number."), code="ric_invalid") from None


def mask_ric(value: str) -> str:
    """An ID number as shown anywhere but on the decision itself: the first three and the last
    four characters, the birth date and the rest hidden."""
    value = normalise_ric(value)
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def make_ric(division: str, birth: str, sequence: str) -> str:
    """An ID number with its check character, for demo and test data (``birth`` as YYYYMMDD,
    ``sequence`` three digits)."""
    body = f"{division}{birth}{sequence}"
    # python-stdnum computes the check character of a number that already has one (any).
    return body + stdnum_ric.calc_check_digit(body + "0")
