"""SonicGrid Studio in a real headless Chromium against a real `sonicgrid studio` process (rules brain):
send a request, verdicts stream in before the reply, the clip is playable, muting a stem changes
the mix, the library finds the clip, reloading and restarting the server restore the session, a
second tab has its own session, approval buttons work, and no console errors. Screenshots of every
page are saved (and their paths printed) when a test fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from studio_harness import CHROMIUM, StudioServer, free_port, launch_browser, send_and_wait_playable, watch_console

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (make chromium)")
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as pw:
        b = launch_browser(pw)
        yield b
        b.close()


@pytest.fixture
def shots(tmp_path):
    """Pages appended here are screenshotted into tmp_path if the test body raises."""
    pages: list = []
    yield pages


def _shoot(pages: list, where: Path, name: str) -> None:
    for i, page in enumerate(pages):
        path = where / f"failure-{name}-{i}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
            print(f"screenshot: {path}")
        except Exception as exc:  # a closed page cannot be shot
            print(f"no screenshot of page {i}: {exc}")


def _mix_rms(page, n: int, after: int) -> float:
    page.wait_for_function(
        "([n, after]) => Number(document.querySelector(`.turn[data-n='${n}']`).dataset.mixCount || 0) > after",
        arg=[n, after],
        timeout=60_000,
    )
    return float(page.eval_on_selector(f".turn[data-n='{n}']", "el => el.dataset.mixRms"))


def test_studio_end_to_end(browser, shots, tmp_path):
    port = free_port()
    server = StudioServer(tmp_path / "data", port).start()
    try:
        ctx = browser.new_context()
        page = ctx.new_page()
        shots.append(page)
        errors = watch_console(page)
        page.goto(server.url)
        page.wait_for_selector("#session-label:has-text('session')")
        first_session = page.text_content("#session-label")

        ms = send_and_wait_playable(page, "moody intro with pads and drums, 4 seconds", 1)
        print(f"send -> playable (first request, generates): {ms:.0f} ms")
        log = page.evaluate("window.sonicgrid.log")
        assert "verdict" in log and log.index("verdict") < log.index("reply"), log  # verdicts arrived live
        card = ".turn[data-n='1']"
        assert page.eval_on_selector(f"{card} .player", "a => a.duration") > 3.0
        assert page.locator(f"{card} .verdicts li.verdict").count() >= 4
        assert "score" in page.text_content(f"{card} .facts")
        page.wait_for_selector(f"{card} canvas.wave[data-drawn='1']")

        # the stem mixer: muting a stem changes the mix; unmuting brings it back
        stems = page.locator(f"{card} tr.stem")
        assert stems.count() >= 2
        stems.nth(0).locator("button.mute").click()
        muted = _mix_rms(page, 1, 0)
        stems.nth(0).locator("button.mute").click()
        full = _mix_rms(page, 1, 1)
        assert full > muted * 1.05 > 0, (full, muted)
        page.wait_for_function(f"document.querySelector(\"{card} .player\").src.startsWith('blob:')")
        page.wait_for_function(f'document.querySelector("{card} .player").duration > 3')

        # the full trace is one click away
        with ctx.expect_page() as trace_page:
            page.click(f"{card} a.trace")
        tp = trace_page.value
        shots.append(tp)
        tp.wait_for_selector("table.verdicts tr.verdict")
        tp.close()

        # the library finds the clip and hands it to the conversation
        page.fill("#lib-q", "moody intro")
        page.click("#lib-form button[type=submit]")
        page.wait_for_selector("#lib-results li.clip-row")
        page.select_option("#lib-layer", "atmosphere")  # the facets list the layers the library holds
        page.click("#lib-form button[type=submit]")
        page.wait_for_function(
            "[...document.querySelectorAll('#lib-results li.clip-row')].length > 0 && "
            "[...document.querySelectorAll('#lib-results li.clip-row')].every(li => li.textContent.includes('atmosphere'))"
        )
        page.locator("#lib-results li.clip-row button.reuse").first.click()
        assert page.input_value("#prompt").startswith("use clip_")

        # reload: same session, same turn
        page.reload()
        page.wait_for_selector(f"{card} .player")
        assert page.text_content("#session-label") == first_session

        # a second tab: its own, empty session
        other = ctx.new_page()
        shots.append(other)
        other_errors = watch_console(other)
        other.goto(server.url)
        other.wait_for_selector("#session-label:has-text('session')")
        assert other.text_content("#session-label") != first_session
        assert other.locator(".turn").count() == 0

        # a request the library can serve, in the warm server: the studio's send -> playable time
        warm_ms = send_and_wait_playable(other, "moody intro with pads and drums, 4 seconds", 1)
        print(f"send -> playable (warm, library serves): {warm_ms:.0f} ms")
        assert page.locator(".turn").count() == 1  # the first tab did not see the second's turn

        # a follow-up in the first tab: the chat's reading of it streams in as a note
        send_and_wait_playable(page, "darker", 2)
        assert "note" in page.evaluate("window.sonicgrid.log")
        assert "moody intro" in page.text_content(".turn[data-n='2'] .reply") + page.text_content(
            ".turn[data-n='2'] .facts"
        )

        # the server restarts: the session comes back from the checkpointer
        assert errors == [] and other_errors == [], errors + other_errors
        server.stop()
        server = StudioServer(tmp_path / "data", port).start()
        page.reload()
        # the browser logs the lost connections (both tabs) while the server was down: not page errors
        errors.clear()
        other_errors.clear()
        page.wait_for_selector(f"{card} .player")
        assert page.text_content("#session-label") == first_session
        page.wait_for_function(f'document.querySelector("{card} .player").duration > 3')
        assert errors == [] and other_errors == [], errors + other_errors
    except BaseException:
        _shoot(shots, tmp_path, "end_to_end")
        raise
    finally:
        server.stop()


def test_approval_buttons(browser, shots, tmp_path):
    server = StudioServer(tmp_path / "data", None, "--approve").start()
    try:
        page = browser.new_context().new_page()
        shots.append(page)
        errors = watch_console(page)
        page.goto(server.url)
        page.wait_for_selector("#session-label:has-text('session')")
        page.fill("#prompt", "dark outro with pads, 4 seconds")
        page.click("#send")
        # every tool run asks (the cost guardian under --approve); a take the gatekeeper sends back asks again,
        # so approve each question, as a person would, until the clip plays
        approvals = 0
        while True:
            got = page.wait_for_function(
                """() => {
                    const p = document.querySelector(".turn[data-n='1'] .player");
                    if (p && p.duration > 0) return "played";
                    return document.querySelector("#question").hidden ? false : "asked";
                }""",
                timeout=180_000,
            ).json_value()
            if got == "played":
                break
            assert "[y/n]" in page.text_content("#question-text")
            assert approvals < 6, "more questions than one request's tool runs"
            # hide before answering: the next question (often the same words) shows it again
            page.evaluate(
                "() => { document.querySelector('#question').hidden = true; document.querySelector('#approve-yes').click(); }"
            )
            approvals += 1
        assert approvals >= 1
        assert page.is_hidden("#question")
        assert errors == [], errors
    except BaseException:
        _shoot(shots, tmp_path, "approval")
        raise
    finally:
        server.stop()
