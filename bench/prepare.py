"""Choose the benchmark's users and courses and issue their API tokens (run per database).

Usage: python -m bench.prepare MANIFEST PLAN_OUT [--therapists 40] [--supervisors 10]
Reads the manifest `openipt synth --manifest` wrote and writes the plan the locustfile reads.
"""

from __future__ import annotations

import argparse
import json
import os
import random
from pathlib import Path
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("manifest", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--therapists", type=int, default=40)
    parser.add_argument("--supervisors", type=int, default=10)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    manifest = json.loads(args.manifest.read_text())
    plan = build_plan(manifest, args.therapists, args.supervisors)
    args.out.write_text(json.dumps(plan, indent=1) + "\n")
    print(f"Plan: {len(plan['therapists'])} therapists, {len(plan['supervisors'])} supervisors.")


def build_plan(manifest: dict, n_therapists: int, n_supervisors: int) -> dict:
    from django.db.models import F

    from openipt.accounts.models import ApiToken, User
    from openipt.courses.models import Course

    names = manifest["usernames"]
    big, others = names["big_caseload"], names["therapists"]
    # Spread over the whole staff list, so the therapists have several supervisors.
    step = max(1, len(others) // max(1, n_therapists - len(big)))
    wanted = big + others[::step][: n_therapists - len(big)]
    rng = random.Random(1)
    therapists = []
    for user in User.objects.filter(username__in=wanted).order_by("id"):
        _, token = ApiToken.issue(user, name="benchmark")
        mine = Course.objects.filter(therapist=user)
        # Individual courses only: a group member's sessions are recorded on the group's
        # session page, and the API refuses them as individual middle-phase work.
        open_courses = mine.filter(
            status="active", planned_sessions__isnull=False, group_memberships__isnull=True
        ).filter(sessions_attended__lt=F("planned_sessions"))
        therapists.append(
            {
                "username": user.username,
                "token": token,
                "open": [
                    [pk, planned - held]
                    for pk, planned, held in open_courses.values_list(
                        "id", "planned_sessions", "sessions_attended"
                    )[:100]
                ],
                "courses": list(mine.order_by("-started_on").values_list("id", flat=True)[:100]),
                "bare": visible_sample(user, rng),
            }
        )
    chosen = User.objects.filter(username__in=wanted).values_list("supervisor__username", flat=True)
    supervisors = sorted({name for name in chosen if name})[:n_supervisors]
    by_name = {user.username: user for user in User.objects.filter(username__in=supervisors)}
    return {
        "password": manifest["password"],
        "today": manifest["today"],
        "therapists": therapists,
        "supervisors": supervisors,
        # In the order of "supervisors" (and of the sessions bench/signin.py adds).
        "supervisor_bare": [visible_sample(by_name[name], rng) for name in supervisors],
    }


def visible_sample(user: Any, rng: random.Random, size: int = 100) -> list[int]:
    """Return up to `size` courses this user may see, chosen at random, for the bare view.

    Chosen through the product's own rule (`Course.objects.visible_to`), so every bare-view
    request is a read the access check allows and the audit records, as in the service.
    """
    from openipt.courses.models import Course

    ids = list(Course.objects.visible_to(user).values_list("id", flat=True))
    return sorted(rng.sample(ids, min(size, len(ids))))


if __name__ == "__main__":
    main()
