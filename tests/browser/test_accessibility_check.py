"""The journeys' axe check finds what it must: a page with a violation fails it."""

from .conftest import axe_violations


def test_axe_names_a_violation_and_passes_a_sound_page(new_page, accessibility):
    page = new_page(language="fr")
    page.set_content(
        '<html lang="fr"><head><title>t</title></head><body><main>'
        '<img src="x.png"><p style="color:#bbb;background:#fff">pâle</p>'
        "<input id=n></main></body></html>"
    )
    found = " ".join(axe_violations(page))
    assert "image-alt" in found
    assert "color-contrast" in found
    assert "label" in found

    page.set_content(
        '<html lang="fr"><head><title>t</title></head><body><main><h1>Titre</h1>'
        '<img src="x.png" alt="Logo"><label for=n>Nom</label><input id=n>'
        "</main></body></html>"
    )
    assert axe_violations(page) == []
    # Not journey pages: the page's load handler may also have checked the planted
    # page (it runs when Playwright dispatches the event); those violations were
    # meant, and nothing is left for the teardown's check to hold against the test.
    accessibility.violations.clear()
    accessibility.checked += 1
