"""Every page loads in headless Chromium with no error box; screenshots go to artifacts/screenshots/."""

from chromium import load


def test_home_page_loads_without_errors(server, browser):
    page, errors = load(browser, server, "home")
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    assert page.get_by_text("Lesson map").count() >= 1
    assert page.locator(".js-plotly-plot").count() == 1
    assert not errors, errors
    page.close()


def test_home_page_on_a_projector_sized_window(server, browser):
    page, errors = load(browser, server, "home-projector", width=1024, height=768)
    assert page.locator("[data-testid='stException']").count() == 0
    assert not errors, errors
    page.close()
