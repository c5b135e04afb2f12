"""Every [S#] tag on a page links to the sources page, which lists each cited reference."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from openipt.protocol.sources import all_sources
from tests.factories import make_course, run_course

SRC = Path(__file__).resolve().parents[2] / "src" / "openipt"
TAG = re.compile(r"\[(S\d+)\]")
LINKED = re.compile(r'<a class="src-link" href="/sources/#(S\d+)">\[\1\]</a>')


def test_it_lists_every_tag_cited_anywhere_in_the_code_and_content():
    cited = set()
    for path in [*SRC.rglob("*.py"), *SRC.rglob("*.html"), *SRC.rglob("*.yaml")]:
        text = path.read_text(encoding="utf-8")
        cited |= set(TAG.findall(text)) | set(
            re.findall(r"\bS\d+\b", text) if path.suffix == ".yaml" else []
        )
    missing = sorted(cited - set(all_sources()), key=lambda t: int(t[1:]))
    assert not missing, f"Add these to protocol/content/sources.yaml: {missing}"


@pytest.mark.django_db
def test_it_shows_the_sources_page_with_an_anchor_per_tag(cast, login):
    page = login(cast.therapist).get(reverse("core:sources")).content.decode()
    assert 'id="S1"' in page and "Key IPT Strategies" in page
    assert 'id="S57"' in page


@pytest.mark.django_db
def test_it_links_every_tag_on_the_course_pages(cast, login):
    course = make_course(client=cast.client, via="service")
    run_course(course=course, phq9_totals=[16, 14, 12])
    web = login(cast.therapist)
    names = [
        "courses:detail", "courses:session_new", "courses:contract", "courses:focus",
        "courses:goals", "courses:termination", "courses:sick_role", "courses:medication",
        "interpersonal:inventory", "interpersonal:circle", "interpersonal:timeline",
        "interpersonal:formulation", "assessments:course",
    ]  # fmt: skip
    unlinked = {}
    for name in names:
        html = web.get(reverse(name, args=[course.pk])).content.decode()
        bare = len(TAG.findall(html)) - len(LINKED.findall(html))
        if bare:
            unlinked[name] = bare
    html = web.get(reverse("courses:start", args=[cast.client.pk])).content.decode()
    assert len(TAG.findall(html)) == len(LINKED.findall(html)) > 0
    assert not unlinked, f"tags without a link to the sources page: {unlinked}"
