"""How long one rating at the counter takes: the kiosk page in Chromium, plus the person.

A person's time cannot be measured by a script, so it is modelled and printed apart
from what is measured:

* **measured** (Chromium on the kiosk page of a real gunicorn over a fresh SQLite
  file, ``--runs`` people in a row on one enrolled kiosk): page ready, from a touch of
  "send" to the thank-you screen, and from there to the blank form for the next person;
* **modelled**: reading the questions and labels the person must read, at
  ``--words-per-minute`` (Vietnamese is counted in syllables, the words of its
  spelling), plus one Keystroke-Level Model touch per required answer and the send
  button (Card, Moran and Newell 1980: mental preparation M = 1.35 s, pointing
  P = 1.1 s, the touch itself 0.2 s).

The issue's budget is 20 seconds. Run: ``python benchmarks/counter_time.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.throughput import BIN, free_port, serve, stop  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
BUDGET_S = 20.0
#: Keystroke-Level Model operators (seconds).
MENTAL, POINT, TOUCH = 1.35, 1.1, 0.2
FACES = ("Hài lòng", "Rất hài lòng", "Bình thường")


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "surveyapp"), *args], cwd=REPO, env=env, capture_output=True, text=True,
        check=True, timeout=300,
    )  # fmt: skip
    return done.stdout


def _words(text: str) -> int:
    return len(text.split())


def read_load(definition: dict, *, first_time: bool = True) -> tuple[int, int]:
    """Words a person reads and the number of required answers.

    The required questions and the scale's labels (read once: every question has the
    same faces); a first-time person reads the title and description too.
    """
    scale = definition["scales"]["satisfaction5"]
    words = sum(_words(step["label"]["vi"]) for step in scale)
    if first_time:
        words += _words(definition["title"]["vi"]) + _words(definition["description"]["vi"])
    required = 0
    for section in definition["sections"]:
        for question in section["questions"]:
            if question.get("required"):
                required += 1
                words += _words(question["text"]["vi"])
    return words, required


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--words-per-minute", type=float, default=200.0)
    args = parser.parse_args()

    import yaml
    from playwright.sync_api import sync_playwright

    definition = yaml.safe_load((REPO / "questionnaires" / "counter.yaml").read_text("utf-8"))
    words, required = read_load(definition)
    words_again, _required = read_load(definition, first_time=False)
    reading_s = words / (args.words_per_minute / 60)
    reading_again_s = words_again / (args.words_per_minute / 60)
    touches = required + 1  # each required face, then "send"
    touching_s = touches * (MENTAL + POINT + TOUCH)

    work = Path(tempfile.mkdtemp(prefix="counter-time-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "SURVEYAPP_DATABASE_URL": f"sqlite:///{work / 'bench.sqlite'}",
        "SURVEYAPP_SECRET_KEY": "counter-time-benchmark-secret-0123456789",
        "SURVEYAPP_PUBLIC_URL": url,
        "SURVEYAPP_INSTANCE_PATH": str(work / "instance"),
        "SURVEYAPP_MIN_FILL_SECONDS": "0",
    }
    _cli(env, "init-db")
    _cli(env, "questionnaires", "load", str(REPO / "questionnaires"))
    _cli(env, "agencies", "add", "Q1", "--name-vi", "Quận 1", "--name-en", "District 1",
         "--kind", "district")  # fmt: skip
    _cli(env, "counters", "add", "Q1", "3", "--name-vi", "Quầy số 3", "--name-en", "Counter 3")
    from sqlalchemy import create_engine

    from surveyapp.db import Database
    from surveyapp.services import kiosks

    with Database(create_engine(env["SURVEYAPP_DATABASE_URL"])).write() as session:
        _kiosk, secret = kiosks.enrol(session, "Q1", "3", "Benchmark tablet", actor=None)
    server = serve("surveyapp:create_app()", port, 2, env)
    ready, sent, reset = [], [], []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_context(locale="vi-VN").new_page()
            page.set_default_timeout(20_000)
            start = time.perf_counter()
            page.goto(f"{url}/k/enrol#{secret}")
            page.wait_for_function("() => document.documentElement.dataset.kioskReady === '1'")
            ready.append(time.perf_counter() - start)
            for _ in range(args.runs):
                for key, label in zip(("overall", "attitude", "time_taken"), FACES, strict=True):
                    page.locator(f"#b-{key}").get_by_text(label, exact=True).click()
                start = time.perf_counter()
                page.get_by_role("button", name="Gửi đánh giá").click()
                page.locator("#k-thanks").wait_for(state="visible")
                sent.append(time.perf_counter() - start)
                start = time.perf_counter()
                page.locator("#k-form-view").wait_for(state="visible")
                page.wait_for_function(
                    "() => document.querySelectorAll('#kf input:checked').length === 0"
                )
                reset.append(time.perf_counter() - start)
            browser.close()
    finally:
        stop(server)

    person_s = reading_s + touching_s + statistics.median(sent)
    again_s = reading_again_s + touching_s + statistics.median(sent)
    print(
        json.dumps(
            {
                "measured": {
                    "page_ready_s": round(ready[0], 3),
                    "send_to_thanks_median_s": round(statistics.median(sent), 3),
                    "send_to_thanks_max_s": round(max(sent), 3),
                    "thanks_to_blank_median_s": round(statistics.median(reset), 3),
                    "people": args.runs,
                },
                "modelled": {
                    "words_read_first_time": words,
                    "words_read_again": words_again,
                    "words_per_minute": args.words_per_minute,
                    "reading_s": round(reading_s, 1),
                    "touches": touches,
                    "touching_s": round(touching_s, 1),
                },
                "one_rating_first_time_s": round(person_s, 1),
                "one_rating_again_s": round(again_s, 1),
                "budget_s": BUDGET_S,
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
