"""The case list reads each source of files (the organisation's, those shared with it,
those of the programmes a lead leads) from its own index and pages through their union
(on PostgreSQL; one query elsewhere): for every role of the permission matrix, walked to
the end, it shows exactly the files the gate lets the user see, in the list's order."""

import functools
import operator

import pytest
from django.http import QueryDict

from tests.youthtrack.test_permission_matrix import ROLES, world  # noqa: F401
from youthtrack import selectors
from youthtrack.access import NOTHING, case_file_sources, case_files_visible_to
from youthtrack.models import CaseFile


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("params", ["", "sort=name", "status=active&sort=-entry"])
def test_the_case_list_pages_show_every_file_the_user_may_see_once(
    world,  # noqa: F811
    db,
    settings,
    role,
    params,
):
    user = world.users.get(role)
    if user is None:
        pytest.skip("anonymous")
    settings.YOUTHTRACK_PAGE_SIZE = 2
    visible = set(case_files_visible_to(user))
    sources = case_file_sources(user)
    from_sources = CaseFile.objects.filter(
        functools.reduce(operator.or_, sources, NOTHING)
    )
    assert visible <= set(from_sources)

    _filter, expected = selectors.case_file_filtered_for_user(
        user=user, params=QueryDict(params)
    )
    _filter, first = selectors.case_file_page_for_user(
        user=user, params=QueryDict(params)
    )
    seen = [
        case
        for number in first.paginator.page_range
        for case in selectors.case_file_page_for_user(
            user=user, params=QueryDict(f"{params}&page={number}")
        )[1].object_list
    ]
    assert seen == list(expected)
    assert first.paginator.count == len(seen)
    if not params:
        assert set(seen) == visible
