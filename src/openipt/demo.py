"""Demo data: a small made-up service to explore OpenIPT with. Idempotent."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from django.db import transaction

from openipt.accounts.models import User
from openipt.accounts.services import create_user
from openipt.clients.models import Client

DEMO_PASSWORD = "ipt-demo-2026"

DEMO_USERS = [
    # username, role, display name, supervisor
    ("demo-supervisor", "supervisor", "Dr Sam Okafor (supervisor)", None),
    ("demo-therapist", "therapist", "Alex Rivera (therapist)", "demo-supervisor"),
    ("demo-therapist2", "therapist", "Jo Park (therapist)", "demo-supervisor"),
    ("demo-admin", "admin", "Admin", None),
    ("demo-client", "client", "Maya (client)", None),
]

DEMO_CLIENTS = [
    # name, record number, therapist, portal user
    ("Maya Thompson", "DEMO-0001", "demo-therapist", "demo-client"),
    ("Daniel Osei", "DEMO-0002", "demo-therapist", None),
    ("Priya Nair", "DEMO-0003", "demo-therapist", None),
    ("Tom Becker", "DEMO-0004", "demo-therapist", None),
    ("Grace Kim", "DEMO-0005", "demo-therapist", None),
    ("Luis Fernández", "DEMO-0006", "demo-therapist2", None),
    ("Hannah Weiss", "DEMO-0007", "demo-therapist2", None),
]


@dataclass
class DemoSummary:
    created_users: list[str] = field(default_factory=list)
    created_clients: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@transaction.atomic
def load_demo() -> DemoSummary:
    """Create the demo users and clients that do not exist yet; touch nothing else."""
    summary = DemoSummary()
    for username, role, display, supervisor in DEMO_USERS:
        if not User.objects.filter(username=username).exists():
            create_user(username, role, DEMO_PASSWORD, supervisor=supervisor, display_name=display)
            summary.created_users.append(username)
    for name, number, therapist, portal in DEMO_CLIENTS:
        if Client.objects.filter(record_number=number).exists():
            continue
        Client.objects.create(
            name=name,
            record_number=number,
            primary_therapist=User.objects.get(username=therapist),
            user=User.objects.get(username=portal) if portal else None,
        )
        summary.created_clients.append(name)
    for extend in _extensions():
        extend(summary)
    return summary


DEMO_MODULES = (
    "openipt.courses.demo",
    "openipt.interpersonal.demo",
    "openipt.assessments.demo",
    "openipt.portal.demo",
    "openipt.groups.demo",
)


def _extensions() -> list:
    """Return each area's `extend_demo(summary)`, in dependency order."""
    loaders = []
    for name in DEMO_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        loaders.append(module.extend_demo)
    return loaders
