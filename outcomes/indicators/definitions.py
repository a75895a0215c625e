"""Every ESF+ 2021-2027 and ESF 2014-2020 (with YEI) indicator, defined once, in the
funder's order (``../shared/design/funder-indicators.md``).

An indicator is a code of a rule set, a label, a definition, and the name of the
condition the engine counts it by (``engine.CONDITIONS``). A result names the output it
may never exceed (per gender). The YEI results reuse the codes CR01…CR12 of Annex II,
which overlap the ESF results CR01…CR06 of Annex I: each indicator stores its rule set
and part, and is reported under its ``key`` ("YEI-CR01" beside "CR01")."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ESFPLUS2021 = "esfplus2021"
ESF2014 = "esf2014"
RULE_SETS = (ESFPLUS2021, ESF2014)

OUTPUT = "output"
RESULT = "result"


@dataclass(frozen=True)
class Indicator:
    rule_set: str
    code: str
    kind: str  # OUTPUT or RESULT
    section: str
    label: Promise
    definition: Promise
    condition: str  # a key of engine.CONDITIONS
    output: str | None = None  # the linked output's key, for a result
    part: str = ""  # "yei" for the YEI results of esf2014
    # A sensitive characteristic that may be declined: the case-file fields whose
    # "declined" answer is counted beside the figure.
    declinable: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.part.upper()}-{self.code}" if self.part else self.code


@dataclass(frozen=True)
class Section:
    key: str
    title: Promise


SECTIONS: dict[str, Section] = {
    s.key: s
    for s in (
        Section("employment", _("Participants by employment status at entry")),
        Section("age", _("Participants by age at entry")),
        Section("education", _("Participants by education at entry")),
        Section("disadvantaged", _("Disadvantaged participants")),
        Section("leaving", _("Results upon leaving")),
        Section("six_months", _("Results six months after leaving")),
        Section("yei", _("Youth Employment Initiative: results upon leaving")),
        Section(
            "yei_longer",
            _("Youth Employment Initiative: results six months after leaving"),
        ),
    )
}


def _o(rule_set, code, section, label, definition, condition, declinable=()):
    return Indicator(
        rule_set, code, OUTPUT, section, label, definition, condition, None, "",
        declinable,
    )  # fmt: skip


def _r(rule_set, code, section, label, definition, condition, output, part=""):
    return Indicator(
        rule_set, code, RESULT, section, label, definition, condition, output, part
    )


_UPON = _(
    "Upon leaving: the last labour-market event (job, self-employment, job search, "
    "inactivity) recorded within the window after the exit date counts."
)
_SIX = _(
    "The situation six months after the exit date: the six-month follow-up's answer, "
    "or else the last labour-market event recorded by then."
)

ESFPLUS = (
    _o(ESFPLUS2021, "EECO01", "employment", _("Total participants"),
       _("Every participant of the operation who entered in the period "
         "(= EECO02 + EECO04 + EECO05)."), "all"),
    _o(ESFPLUS2021, "EECO02", "employment",
       _("Unemployed, including long-term unemployed"),
       _("Unemployed at entry, or registered as a job seeker at Actiris."),
       "unemployed"),
    _o(ESFPLUS2021, "EECO03", "employment", _("Long-term unemployed"),
       _("Unemployed at entry for more than the long-term threshold (months) of "
         "the age group."), "long_term_unemployed"),
    _o(ESFPLUS2021, "EECO04", "employment",
       pgettext_lazy("participants", "Inactive"),
       _("Neither employed nor unemployed at entry (full-time students included)."),
       "inactive"),
    _o(ESFPLUS2021, "EECO05", "employment",
       _("Employed, including self-employed"),
       _("Employed or self-employed at entry."), "employed"),
    _o(ESFPLUS2021, "EECO06", "age", _("Below 18 years of age"),
       _("Age in completed years on the entry date below 18."), "age_below_18"),
    _o(ESFPLUS2021, "EECO07", "age", _("Aged 18 to 29"),
       _("Age in completed years on the entry date from 18 to 29."),
       "age_18_29"),
    _o(ESFPLUS2021, "EECO08", "age", _("Aged 55 and above"),
       _("Age in completed years on the entry date 55 or more."),
       "age_55_plus"),
    _o(ESFPLUS2021, "EECO09", "education",
       _("With lower secondary education or less (ISCED 0-2)"),
       _("Highest diploma completed at entry at ISCED level 0, 1 or 2."),
       "isced_0_2"),
    _o(ESFPLUS2021, "EECO10", "education",
       _("With upper secondary or post-secondary education (ISCED 3-4)"),
       _("Highest diploma completed at entry at ISCED level 3 or 4."),
       "isced_3_4"),
    _o(ESFPLUS2021, "EECO11", "education",
       _("With tertiary education (ISCED 5-8)"),
       _("Highest diploma completed at entry at ISCED level 5 to 8."),
       "isced_5_8"),
    _o(ESFPLUS2021, "EECO12", "disadvantaged", _("With disabilities"),
       _("Disability stated at entry; declined counts as not in the category."),
       "disability", ("disability",)),
    _o(ESFPLUS2021, "EECO13", "disadvantaged", _("Third-country nationals"),
       _("Citizen of a country outside the EU, or stateless."),
       "third_country"),
    _o(ESFPLUS2021, "EECO14", "disadvantaged", _("With a foreign background"),
       _("Foreign or migrant background stated at entry; declined counts as not "
         "in the category."), "foreign_background", ("foreign_background",)),
    _o(ESFPLUS2021, "EECO15", "disadvantaged", _("Minorities"),
       _("Belonging to a minority stated at entry; declined counts as not in the "
         "category."), "minority", ("minority",)),
    _o(ESFPLUS2021, "EECO16", "disadvantaged",
       _("Homeless or affected by housing exclusion"),
       _("Homelessness or housing exclusion stated at entry; declined counts as "
         "not in the category."), "homeless", ("homeless",)),
    _o(ESFPLUS2021, "EECO17", "disadvantaged", _("From rural areas"),
       _("The Brussels region is entirely urban: no participant counts."),
       "rural"),
    _r(ESFPLUS2021, "EECR01", "leaving",
       _("Engaged in job searching upon leaving"),
       _UPON, "upon_job_search", "EECO01"),
    _r(ESFPLUS2021, "EECR02", "leaving",
       _("In education or training upon leaving"),
       _("Training, studies, an internship or an apprenticeship started by the end "
         "of the window after the exit date and still going on at exit (judged on "
         "its own)."), "upon_education", "EECO01"),
    _r(ESFPLUS2021, "EECR03", "leaving", _("Gaining a qualification upon leaving"),
       _("A qualification obtained between entry and the end of the window after "
         "the exit date (judged on its own)."), "upon_qualification", "EECO01"),
    _r(ESFPLUS2021, "EECR04", "leaving",
       _("In employment, including self-employment, upon leaving"),
       _UPON, "upon_employed", "EECO01"),
    _r(ESFPLUS2021, "EECR05", "six_months",
       _("In employment, including self-employment, six months after leaving"),
       _SIX, "six_employed", "EECO01"),
    _r(ESFPLUS2021, "EECR06", "six_months",
       _("With an improved labour-market situation six months after leaving"),
       _("Employed at entry, and six months after leaving in a job with a "
         "permanent contract or self-employed (only those employed at entry)."),
       "six_improved", "EECO05"),
)  # fmt: skip

ESF2014_INDICATORS = (
    _o(ESF2014, "CO01", "employment",
       _("Unemployed, including long-term unemployed"),
       _("Unemployed at entry, or registered as a job seeker at Actiris."),
       "unemployed"),
    _o(ESF2014, "CO02", "employment", _("Long-term unemployed"),
       _("Unemployed at entry for more than the long-term threshold (months) of "
         "the age group."), "long_term_unemployed"),
    _o(ESF2014, "CO03", "employment",
       pgettext_lazy("participants", "Inactive"),
       _("Neither employed nor unemployed at entry (full-time students included)."),
       "inactive"),
    _o(ESF2014, "CO04", "employment",
       _("Inactive, not in education or training"),
       _("Inactive at entry and following no education or training."),
       "inactive_neet"),
    _o(ESF2014, "CO05", "employment", _("Employed, including self-employed"),
       _("Employed or self-employed at entry."), "employed"),
    _o(ESF2014, "CO06", "age", _("Below 25 years of age"),
       _("Age in completed years on the entry date below 25."), "age_below_25"),
    _o(ESF2014, "CO07", "age", _("Above 54 years of age"),
       _("Age in completed years on the entry date 55 or more."), "age_55_plus"),
    _o(ESF2014, "CO09", "education",
       _("With primary or lower secondary education (ISCED 1-2)"),
       _("Highest diploma completed at entry at ISCED level 1 or 2."),
       "isced_1_2"),
    _o(ESF2014, "CO10", "education",
       _("With upper secondary or post-secondary education (ISCED 3-4)"),
       _("Highest diploma completed at entry at ISCED level 3 or 4."),
       "isced_3_4"),
    _o(ESF2014, "CO11", "education", _("With tertiary education (ISCED 5-8)"),
       _("Highest diploma completed at entry at ISCED level 5 to 8."),
       "isced_5_8"),
    _o(ESF2014, "CO15", "disadvantaged",
       _("Migrants, participants with a foreign background, minorities"),
       _("A non-EU citizen or stateless, or a foreign background or a minority "
         "stated at entry; declined counts as not in the category."),
       "migrant_or_minority", ("foreign_background", "minority")),
    _o(ESF2014, "CO16", "disadvantaged", _("With disabilities"),
       _("Disability stated at entry; declined counts as not in the category."),
       "disability", ("disability",)),
    _o(ESF2014, "CO17", "disadvantaged", _("Other disadvantaged"),
       _("No other disadvantage is recorded: no participant counts."), "none"),
    _o(ESF2014, "CO18", "disadvantaged",
       _("Homeless or affected by housing exclusion"),
       _("Homelessness or housing exclusion stated at entry; declined counts as "
         "not in the category."), "homeless", ("homeless",)),
    _o(ESF2014, "CO19", "disadvantaged", _("From rural areas"),
       _("The Brussels region is entirely urban: no participant counts."),
       "rural"),
    _r(ESF2014, "CR01", "leaving",
       _("Inactive participants engaged in job searching upon leaving"),
       _UPON, "inactive_upon_job_search", "CO03"),
    _r(ESF2014, "CR02", "leaving",
       _("In education or training upon leaving"),
       _("Training, studies, an internship or an apprenticeship started by the end "
         "of the window after the exit date and still going on at exit (judged on "
         "its own)."), "upon_education", "TOTAL"),
    _r(ESF2014, "CR03", "leaving", _("Gaining a qualification upon leaving"),
       _("A qualification obtained between entry and the end of the window after "
         "the exit date (judged on its own)."), "upon_qualification", "TOTAL"),
    _r(ESF2014, "CR04", "leaving",
       _("In employment, including self-employment, upon leaving"),
       _UPON, "upon_employed", "TOTAL"),
    _r(ESF2014, "CR06", "six_months",
       _("In employment, including self-employment, six months after leaving"),
       _SIX, "six_employed", "TOTAL"),
)  # fmt: skip

_COMPLETE = _(
    "Left the YEI intervention with any exit reason but a drop-out (the exit reason "
    "“dropped out”)."
)
_OFFER = _(
    "An offer of employment, continued education, apprenticeship or traineeship "
    "recorded by the end of the window after the exit date."
)
_POSITIVE = _(
    "In education or training, gaining a qualification, or in employment "
    "(self-employment included) upon leaving."
)
YEI = (
    _r(ESF2014, "CR01", "yei", _("Unemployed participants who complete the YEI "
       "supported intervention"), _COMPLETE, "unemployed_complete", "CO01", "yei"),
    _r(ESF2014, "CR02", "yei", _("Unemployed participants who receive an offer "
       "upon leaving"), _OFFER, "unemployed_offer", "CO01", "yei"),
    _r(ESF2014, "CR03", "yei", _("Unemployed participants in education, training, "
       "a qualification or employment upon leaving"), _POSITIVE,
       "unemployed_positive", "CO01", "yei"),
    _r(ESF2014, "CR04", "yei", _("Long-term unemployed participants who complete "
       "the YEI supported intervention"), _COMPLETE, "ltu_complete", "CO02", "yei"),
    _r(ESF2014, "CR05", "yei", _("Long-term unemployed participants who receive an "
       "offer upon leaving"), _OFFER, "ltu_offer", "CO02", "yei"),
    _r(ESF2014, "CR06", "yei", _("Long-term unemployed participants in education, "
       "training, a qualification or employment upon leaving"), _POSITIVE,
       "ltu_positive", "CO02", "yei"),
    _r(ESF2014, "CR07", "yei", _("Inactive participants not in education or "
       "training who complete the YEI supported intervention"), _COMPLETE,
       "neet_complete", "CO04", "yei"),
    _r(ESF2014, "CR08", "yei", _("Inactive participants not in education or "
       "training who receive an offer upon leaving"), _OFFER, "neet_offer", "CO04",
       "yei"),
    _r(ESF2014, "CR09", "yei", _("Inactive participants not in education or "
       "training in education, training, a qualification or employment upon "
       "leaving"), _POSITIVE, "neet_positive", "CO04", "yei"),
    _r(ESF2014, "CR10", "yei_longer", _("In continued education, a training "
       "leading to a qualification, an apprenticeship or a traineeship six months "
       "after leaving"), _SIX, "six_education", "TOTAL", "yei"),
    _r(ESF2014, "CR11", "yei_longer", _("In employment six months after leaving"),
       _SIX, "six_employee", "TOTAL", "yei"),
    _r(ESF2014, "CR12", "yei_longer", _("In self-employment six months after "
       "leaving"), _SIX, "six_self_employed", "TOTAL", "yei"),
)  # fmt: skip

# The esf2014 outputs have no total among their codes: "TOTAL" (every participant)
# is reported with them as the output the general results are checked against.
ESF2014_TOTAL = _o(
    ESF2014, "TOTAL", "employment", _("Total participants"),
    _("Every participant of the operation who entered in the period."), "all",
)  # fmt: skip

INDICATORS: dict[str, tuple[Indicator, ...]] = {
    ESFPLUS2021: ESFPLUS,
    ESF2014: (ESF2014_TOTAL, *ESF2014_INDICATORS, *YEI),
}


def indicators_of(rule_set: str) -> tuple[Indicator, ...]:
    try:
        return INDICATORS[rule_set]
    except KeyError:
        raise ValueError(f"unknown rule set {rule_set!r}") from None


def indicator(rule_set: str, key: str) -> Indicator:
    for item in indicators_of(rule_set):
        if item.key == key:
            return item
    raise KeyError(key)
