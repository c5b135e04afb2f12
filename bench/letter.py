"""Time the end-of-treatment letter's PDF (issue 15: under 1 s; it took 4.6 s before).

Usage: python -m bench.letter [OUT_JSON] [--repeat 7]
Builds the demo service in a temporary folder (SQLite, file cache), then renders the
letter of every demo course that has ended, as the "PDF" link does: the first render of the
process apart (fonts and templates load then), then the median of `repeat`. `make bench`
runs it before the load test; bench/measure.py times the same function on the synthetic
service (`time_letter`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def time_letter(course: Any, repeat: int) -> dict[str, Any]:
    """Render the course's letter PDF `repeat` times after one first render; return figures."""
    from openipt.courses.letter import render_letter_pdf

    started = time.perf_counter()
    pdf, pages = render_letter_pdf(course)
    first = time.perf_counter() - started
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        render_letter_pdf(course)
        runs.append(time.perf_counter() - started)
    return {
        "course": course.pk,
        "sessions": course.sessions.count(),
        "pages": pages,
        "bytes": len(pdf),
        "first_s": round(first, 3),
        "median_s": round(statistics.median(runs), 3),
        "max_s": round(max(runs), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path, nargs="?")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="openipt-letter-") as folder:
        os.environ["OPENIPT_DATA_DIR"] = folder
        os.environ.pop("OPENIPT_DATABASE_URL", None)
        os.environ.pop("OPENIPT_REDIS_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openipt.settings")
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        from openipt.courses.models import Course
        from openipt.demo import load_demo

        load_demo()
        ended = Course.objects.filter(status=Course.Status.ENDED).order_by("id")
        found = {
            "letters": [time_letter(course, args.repeat) for course in ended],
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }
    text = json.dumps(found, indent=1)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
