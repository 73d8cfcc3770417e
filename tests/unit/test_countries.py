"""The country table (coach/content/countries.yaml): numbers, service names, the 112 fallback and file checks."""

import pytest

from coach.content import ContentError
from coach.content.countries import (
    country_table,
    emergency_number,
    emergency_numbers,
    load_countries,
    local_services,
)
from coach.domain import triage

# Every number the 2026.1 file (emergency_numbers.yaml) held: the move to countries.yaml keeps them all.
NUMBERS_2026_1 = dict(item.split("=") for item in (
    "AT=112 BE=112 BG=112 HR=112 CY=112 CZ=112 DK=112 EE=112 FI=112 FR=112 DE=112 GR=112 HU=112 IE=112 IT=112 "
    "LV=112 LT=112 LU=112 MT=112 NL=112 PL=112 PT=112 RO=112 SK=112 SI=112 ES=112 SE=112 IS=112 LI=112 AD=112 "
    "MC=112 SM=112 TR=112 UA=112 RU=112 CH=144 NO=113 GB=999 GG=999 JE=999 IM=999 US=911 CA=911 MX=911 BR=192 "
    "AR=107 CL=131 CO=123 AU=000 NZ=111 IN=112 JP=119 KR=119 CN=120 HK=999 TW=119 SG=995 MY=999 TH=1669 PH=911 "
    "VN=115 ID=112 PK=1122 BD=999 IL=101 AE=998 SA=997 EG=123 ZA=10177 NG=112 KE=999"
).split())

GB_URGENT = "an urgent GP appointment, or call 111 (in Northern Ireland, your GP or the GP out-of-hours service)"
GENERIC = ("a doctor today, or an urgent care service", "the emergency department", "a doctor")
FALLBACK_NOTE = "If 112 doesn't connect, call your local emergency number."


def test_every_number_of_the_old_file_is_kept_and_none_added():
    assert emergency_numbers() == ("112", NUMBERS_2026_1)


def test_gb_has_its_own_services():
    gb = local_services("GB")
    assert (gb.country, gb.number, gb.is_fallback, gb.number_label, gb.fallback_note) == ("GB", "999", False, None,
                                                                                         None)
    assert (gb.urgent, gb.emergency, gb.doctor) == (GB_URGENT, "999 or A&E", "a GP")
    assert triage.advice("emergency", gb) == (
        "Get emergency help now: 999 or A&E.")
    assert triage.advice("urgent", gb) == f"Book or call now: {GB_URGENT}."
    assert triage.advice("routine", gb) == "Book an appointment with a GP or a physiotherapist."
    assert triage.safety_net(gb).startswith("See a GP if your back pain does not improve")


@pytest.mark.parametrize("country, number", [("US", "911"), ("DE", "112"), ("NZ", "111"), ("AU", "000")])
def test_other_countries_get_their_number_and_the_generic_wording(country, number):
    services = local_services(country)
    assert (services.country, services.number, services.is_fallback) == (country, number, False)
    assert (services.number_label, services.fallback_note) == (None, None)  # 112 is Germany's own number
    assert (services.urgent, services.emergency, services.doctor) == GENERIC
    words = " ".join(triage.advice(level, services) for level in triage.LEVELS) + triage.safety_net(services)
    assert "A&E" not in words and "111" not in words.replace(f"on {number} ", "") and " GP" not in words
    assert triage.advice("emergency", services) == (
        f"Call emergency services on {number} or go to the emergency department now.")
    assert triage.advice("routine", services) == "Book an appointment with a doctor or a physiotherapist."
    assert triage.safety_net(services).startswith("See a doctor if your back pain does not improve")


@pytest.mark.parametrize("country", ["BV", "XX", "", None, "  "])
def test_a_country_missing_from_the_table_gets_112_as_the_international_number(country):
    services = local_services(country)
    assert services == triage.GENERIC_SERVICES
    assert (services.country, services.number, services.is_fallback) == (None, "112", True)
    assert services.number_label == "international emergency number"
    assert services.fallback_note == FALLBACK_NOTE
    assert (services.urgent, services.emergency, services.doctor) == GENERIC
    assert triage.advice("emergency", services) == (
        "Call emergency services on 112 (international emergency number) or go to the emergency department now. "
        f"{FALLBACK_NOTE}")
    assert emergency_number(country) == "112"


def test_codes_are_read_in_any_case_and_with_spaces():
    assert local_services("gb") == local_services(" GB ") == local_services("GB")


def test_only_gb_names_a_and_e_or_111_and_no_fallback_says_for_a_country():
    for code, services in country_table().items():
        text = " ".join((services.urgent, services.emergency, services.doctor))
        assert ("A&E" in text or "111" in text) == (code == "GB"), code
        assert not services.is_fallback and services.number_label is None and services.fallback_note is None
    assert " for " not in (triage.GENERIC_SERVICES.number_label + triage.GENERIC_SERVICES.fallback_note)


GOOD_GB = ('countries:\n  GB:\n    number: "999"\n    urgent: "u"\n    emergency: "999 or A&E"\n    doctor: "a GP"\n'
           '    sources: [3]\n')


@pytest.mark.parametrize("text, path", [
    pytest.param('countries:\n  US: "911"\n  US: "912"\n', "US", id="country-twice"),
    pytest.param('countries:\n  NO: "113"\n', "countries.False", id="bare-NO-is-false"),
    pytest.param('countries:\n  UK: "999"\n', "countries.UK", id="not-an-iso-code"),
    pytest.param('countries:\n  gb: "999"\n', "countries.gb", id="lower-case"),
    pytest.param('countries:\n  AU: 000\n', "countries.AU", id="unquoted-number"),
    pytest.param('countries:\n  US: "9-1-1"\n', "countries.US", id="not-digits"),
    pytest.param('countries:\n  US: "1"\n', "countries.US", id="too-short"),
    pytest.param('countries:\n  US: ["911"]\n', "countries.US", id="a-list"),
    pytest.param(GOOD_GB.replace("    sources: [3]\n", ""), "countries.GB.sources", id="wording-without-sources"),
    pytest.param(GOOD_GB.replace("[3]", "[]"), "countries.GB.sources", id="empty-sources"),
    pytest.param(GOOD_GB.replace("[3]", "[true]"), "countries.GB.sources[0]", id="sources-not-ids"),
    pytest.param(GOOD_GB.replace('"u"', '""'), "countries.GB.urgent", id="empty-wording"),
    pytest.param(GOOD_GB.replace('"999"', "999"), "countries.GB.number", id="unquoted-number-in-mapping"),
    pytest.param(GOOD_GB + "    note: x\n", "countries.GB.note", id="unknown-field"),
    pytest.param(GOOD_GB.replace("    doctor", "    number: \"112\"\n    doctor"), "number", id="field-twice"),
    pytest.param("countries: {}\n", "countries", id="empty"),
    pytest.param('fallback: "112"\ncountries:\n  US: "911"\n', "fallback", id="extra-top-level-field"),
    pytest.param("", "", id="empty-file"),
])
def test_a_bad_file_fails_loudly_naming_the_field(text, path):
    with pytest.raises(ContentError) as error:
        load_countries(text)
    assert (error.value.origin, error.value.path) == ("countries.yaml", path)


def test_a_good_file_loads():
    table = load_countries(GOOD_GB + '  "NO": "113"\n')
    assert table["NO"].number == "113" and table["GB"].urgent == "u" and table["GB"].doctor == "a GP"


@pytest.mark.parametrize("text, message", [
    ('countries:\n  US: "9-1-1"\n', "countries.yaml: countries.US: must be a quoted number of 2 to 6 digits"),
    ('countries:\n  NO: "113"\n', "countries.yaml: countries.False: must be an upper-case ISO 3166-1 alpha-2 code"),
    (GOOD_GB.replace("    sources: [3]\n", ""), "countries.yaml: countries.GB.sources: is required"),
    (GOOD_GB + "    note: x\n", "countries.yaml: countries.GB.note: unknown field"),
    (GOOD_GB.replace('"u"', '" u"'), "countries.yaml: countries.GB.urgent: must be a non-empty text of at most 200 "
                                     "characters without surrounding spaces"),
    ('countries:\n  US: ["911"]\n', "countries.yaml: countries.US: must be a quoted number or a mapping with number, "
                                    "urgent, emergency, doctor and sources"),
])
def test_an_editor_reads_what_to_fix_and_where(text, message):
    with pytest.raises(ContentError) as error:
        load_countries(text)
    assert str(error.value) == message
