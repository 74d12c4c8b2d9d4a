"""The server stops in the middle of a class and starts again: nothing is lost.

Over Streamlit's own protocol (benchmarks/stclient.py, the load test's class helpers): a teacher starts a class
on a server of this test's own (its own data directory), three students join and answer; the server is
stopped (SIGTERM) and started again on the same directory; the teacher re-opens the dashboard with the key and
sees every student and answer; a student's reloaded link (its seat) finds her place and answers on.
"""

import asyncio
import concurrent.futures
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "benchmarks"))

import loadtest  # noqa: E402
from stclient import StClient, query  # noqa: E402

ARGS = loadtest.parse(["--url", "-", "--class-questions", "3", "--timeout", "60"])


async def _before(url: str) -> dict:
    rec = loadtest.Record()
    live = await loadtest.start_class(url, ARGS, rec)
    seats = {}
    for i, name in enumerate(("Ada", "Bob", "Cy")):
        async with StClient(url, name=name) as tab:
            await tab.open("exercises", query(**{"class": live.code}))
            tab.fill("class_nickname", name)
            await tab.submit("class_join")
            assert await loadtest.wait_for(tab, lambda t: t.idle and f"class-{live.code}-0_form" in " ".join(t.widgets),
                                           30), \
                tab.texts()[-3:]
            for q in range(i + 1):                                   # Ada 1 answer, Bob 2, Cy 3
                for j, text in enumerate(live.answers[q] if q != 1 else loadtest.wrong(live.answers[q])):
                    tab.fill(f"class-{live.code}-{q}_a{j}", text)
                await tab.submit(f"class-{live.code}-{q}_form")
                assert loadtest.answered(tab, 3) == q + 1, tab.texts()[-3:]
            seats[name] = tab.query
            assert not tab.errors or all(e.startswith(loadtest.NOT_AN_ERROR) for e in tab.errors), tab.errors
    await live.teacher.close()
    return {"code": live.code, "key": live.key, "answers": live.answers, "seats": seats}


async def _after(url: str, before: dict) -> dict:
    async with StClient(url, name="teacher again") as teacher:
        await teacher.open("dashboard", query(**{"class": before["code"]}))
        teacher.fill("db_key", before["key"])
        await teacher.submit("db_open")
        assert await loadtest.wait_for(teacher, lambda t: t.idle and "Still working" in t.text(), 30), teacher.texts()
        board = {"stored": loadtest.stored_answers(teacher), "text": teacher.text()}
    async with StClient(url, name="Ada again") as ada:
        await ada.open("exercises", before["seats"]["Ada"])            # her reloaded tab: the URL with her seat
        board["ada"] = ada.text()
        for j, text in enumerate(before["answers"][2]):
            ada.fill(f"class-{before['code']}-2_a{j}", text)
        await ada.submit(f"class-{before['code']}-2_form")
        board["ada_after"] = ada.text()
    return board


def _in_thread(coro):
    # in a thread of its own: Playwright's sync API may hold an event loop in this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result(timeout=300)


def test_a_restart_mid_class_loses_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVLAB_DATA_DIR", str(tmp_path / "data"))
    port = loadtest.free_port()
    url = f"http://127.0.0.1:{port}"
    server = loadtest.start_server(port, 120)
    try:
        before = _in_thread(_before(url))
    finally:
        server.terminate()
        server.wait(60)
    server = loadtest.start_server(port, 120)                           # the same data directory
    try:
        after = _in_thread(_after(url, before))
    finally:
        server.terminate()
        server.wait(60)
    assert after["stored"] == 6                                        # 1 + 2 + 3 answers, all there
    text = after["text"]
    assert "## 3" in text and "Ada" in text and "Bob (2/3)" in text
    assert "Discuss next: question 2" in text and "0% right in the end** (0 of 2)" in text
    assert "you are **Ada**" in after["ada"] and "Score: 1 of 3** (1 answered)" in after["ada"]
    assert "Score: 2 of 3** (2 answered)" in after["ada_after"]
