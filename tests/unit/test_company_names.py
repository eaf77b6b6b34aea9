"""Which listing a company's name means, from the names a provider gives: no company is known here."""

from __future__ import annotations

import pytest

from finance_service.company_names import AmbiguousName, name_words, resolve

LISTINGS = {
    "ACME": ["Acme Corporation"],
    "GLBX": ["Globex Holdings, Inc. Class A", "Globex"],
    "GLBXB": ["Globex Holdings, Inc. Class B"],
    "IN.T": ["Initech Ltd", "Initrode"],
}


@pytest.mark.parametrize(
    ("asked", "ticker"),
    [
        ("ACME", "ACME"),
        ("acme", "ACME"),
        ("in.t", "IN.T"),
        ("Acme Corporation", "ACME"),
        ("acme corp", "ACME"),
        ("Acme's", "ACME"),
        ("Initrode", "IN.T"),
        ("initech", "IN.T"),
    ],
)
def test_a_ticker_or_a_name_finds_its_listing(asked: str, ticker: str) -> None:
    assert resolve(asked, LISTINGS) == ticker


@pytest.mark.parametrize("asked", ["Umbrella", "Corporation", "Inc.", "class", ""])
def test_a_name_of_no_listing_or_only_legal_words_finds_none(asked: str) -> None:
    assert resolve(asked, LISTINGS) is None


def test_a_name_two_listings_share_is_ambiguous_and_says_which() -> None:
    with pytest.raises(AmbiguousName, match="'Globex Holdings' could mean GLBX, GLBXB"):
        resolve("Globex Holdings", LISTINGS)


def test_words_run_together_find_the_name_written_as_one() -> None:
    assert resolve("Glo Bex", {"GLBX": ["GloBex Inc."]}) == "GLBX"


def test_the_telling_words_leave_out_legal_forms_and_share_classes() -> None:
    assert name_words("Amazon.com, Inc.") == {"amazon", "com"}
    assert name_words("Alphabet Inc. Class A") == {"alphabet"}
