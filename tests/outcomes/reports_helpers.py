"""A hand-made result of a report engine (the shape in ``outcomes.indicators``)."""

import copy

SAMPLE_RESULT = {
    "rule_set": "esfplus2021",
    "organisation": "Centre de la Mission",
    "operation": "ESF-2021-TNG",
    "from": "2025-01-01",
    "to": "2025-12-31",
    "parameters": {"long_term_months_under_25": 6, "window_days": 28},
    "indicators": {
        "EECO01": {"women": 5, "men": 5, "non_binary": 2, "total": 12},
        "EECO02": {"women": 3, "men": 2, "non_binary": 1, "total": 6},
        "EECO04": {"women": 1, "men": 2, "non_binary": 0, "total": 3},
        "EECO05": {"women": 1, "men": 1, "non_binary": 1, "total": 3},
        "EECO12": {"women": 0, "men": 1, "non_binary": 0, "total": 1},
        "EECR01": {"women": 2, "men": 1, "non_binary": 0, "total": 3},
        "EECR03": {"women": 1, "men": 2, "non_binary": 1, "total": 4},
    },
    "declined": {"EECO12": 1},
    "incomplete": 2,
    "checksum": "5f2c0a7e9d1b4c3a",
    "labels": {
        "EECO01": "Total number of participants",
        "EECO02": "Unemployed, including long-term unemployed",
        "EECO04": "Inactive",
        "EECO05": "Employed, including self-employed",
        "EECO12": '=HYPERLINK("http://evil","Participants with disabilities")',
        "EECR01": "Participants engaged in job searching upon leaving",
        "EECR03": "Participants gaining a qualification upon leaving",
    },
    "sections": [
        {
            "title": "Common output indicators",
            "codes": ["EECO01", "EECO02", "EECO04", "EECO05", "EECO12"],
        },
        {"title": "Common immediate result indicators", "codes": ["EECR03", "EECR01"]},
    ],
}


def sample_result(**changes) -> dict:
    result = copy.deepcopy(SAMPLE_RESULT)
    result.update(changes)
    return result
