"""Funder indicators computed from the recorded facts
(`../shared/design/funder-indicators.md`).

The shared interface of the report engines (each in its own module):

- ``engine.report_compute(*, rule_set, operation, date_from, date_to, user=None)
  -> dict`` for ``esfplus2021`` and ``esf2014`` (with YEI);
  ``actiris.report_compute(...)`` and
  ``activity.report_compute(...)`` with the same signature (``operation`` may be None
  for the yearly activity figures, which cover an organisation's programmes).
- The result is JSON-ready, in the funder's order::

    {"rule_set": "esfplus2021", "operation": "REF", "from": "YYYY-MM-DD",
     "to": "YYYY-MM-DD", "parameters": {...}, "indicators": {"EECO01": {"women": 5,
     "men": 5, "non_binary": 2, "total": 12}, ...}, "declined": {"EECO12": 1, ...},
     "incomplete": 0, "checksum": "...", "labels": {"EECO01": "..."}, "sections": [...]}

- ``engine.indicator_participants(*, rule_set, operation, date_from, date_to, code,
  gender=None, user) -> QuerySet[CaseFile]``: the participants a figure counts, through
  the case-file gate of ``user``. ``code`` is the key of ``indicators``: the YEI results
  of ``esf2014`` are "YEI-CR01" … "YEI-CR12" (their codes overlap the ESF's CR01…).
- The engine also gives "programme", "parameter_labels", "definitions", "kinds"
  (output/result), "participants" and "checks" (EECO01 = EECO02 + EECO04 + EECO05,
  each result ≤ its output per gender: ``{"rule", "gender", "left", "right",
  "passed"}``); ``explain.participant_explain`` says why a participant counts or not;
  ``quality.quality_issues`` lists the incomplete participants with their problems.
"""
