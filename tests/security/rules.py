"""Who may do what: the expected outcome of every route for every role, declared once.

A rule matches routes by namespace, URL name and which object kwargs they carry; the first
rule that matches decides. Outcomes are tokens: a status code ("403"), "2xx", "3xx" (a
redirect that is not to the login page), "login" (a redirect to the login page). A route
that no rule matches fails the matrix with a message asking for a declaration.

Besides the status, the matrix watches django-auditlog: a call by anyone but the owner
that writes to a clinical record fails, whatever its status (WRITERS_OF_OWN_DATA aside,
on routes without an object: an outsider therapist may create their own client; on a
rule with client_owns, the client alone writes their own record).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.security.routes import Route

ROLES = (
    "anonymous",
    "client",
    "admin",
    "outsider",
    "other_supervisor",
    "other_facilitator",
    "facilitator",
    "supervisor",
    "owner",
)
# Roles that must never see the owner's records, so a 2xx answer to them is searched for
# the owner's data; the client is searched for clinical free text on staff routes only.
STRANGERS = ("anonymous", "admin", "outsider", "other_supervisor", "other_facilitator")
# The facilitator of the owner's group: a stranger to every record but the group's
# (tests/security/test_authorization_matrix.py searches their other answers).
GROUP_STAFF = ("facilitator",)

Expect = dict[str, set[str]]  # role -> allowed outcome tokens
# On routes that name no object, these roles may create records of their own.
WRITERS_OF_OWN_DATA = ("outsider", "owner")


@dataclass(frozen=True)
class Rule:
    name: str
    matches: Callable[[Route], bool]
    read: Expect | None  # GET; None means the route is declared excluded
    write: Expect | None  # POST for pages, the operation's own method for the API
    why: str = ""
    # The signed-in client is the subject of the data here (their own record): they may
    # write, and their 2xx answers are not searched for the record's text.
    client_owns: bool = False
    # Roles besides the owner who may write to the owner's objects here (a group's
    # facilitator records its sessions).
    writers: tuple[str, ...] = ()


CLINICAL_NAMESPACES = {
    "clients",
    "portal",
    "courses",
    "interpersonal",
    "assessments",
    "reports",
    "insights",
    "privacy",
    "groups",
}
PUBLIC = {"core:healthz", "core:readyz", "api:openapi-json", "api:openapi-view", "api:api-root"}
REFUSED = {"403", "404"}
PORTAL_ACCESS = {"portal:join_start", "portal:join", "portal:sign_in", "portal:sign_in_link"}
# Portal URLs that staff use (inviting a client, a course's daily log chart on the course
# page): they follow the clinical rules.
PORTAL_STAFF = {"portal:invite", "portal:course_mood_chart"}
# The client's own record over the API; staff operations on the portal (invitations, a
# course's daily log) live outside this prefix and follow the clinical rules.
PORTAL_API_PREFIX = "/api/v1/portal/"
# A body that fails validation may be refused (400/409/422) before access is checked; it
# reveals nothing, and the owner's own attempt shows whether the example body was valid.
INVALID = {"400", "409", "422"}


def everyone(tokens: set[str], anonymous: set[str] | None = None) -> Expect:
    expect = {role: set(tokens) for role in ROLES}
    if anonymous is not None:
        expect["anonymous"] = set(anonymous)
    return expect


def _area(route: Route) -> str:
    return route.namespace.split(":")[0]


def _is_scoped(route: Route) -> bool:
    return bool(route.object_params)


# An outsider therapist must get 404: the strict case. Other roles may be refused for
# their role (403) before the object is looked up; that reveals nothing about it.
SCOPED_READ: Expect = {
    "anonymous": {"login"},
    "client": REFUSED,
    "admin": REFUSED,
    "outsider": {"404"},
    "other_supervisor": REFUSED,
    "other_facilitator": REFUSED,
    "facilitator": REFUSED,
    # Edit forms refuse a read-only viewer even on GET.
    "supervisor": {"2xx", "3xx", "403"},
    "owner": {"2xx", "3xx"},
}
SCOPED_WRITE: Expect = {
    "anonymous": {"login"},
    "client": REFUSED,
    "admin": REFUSED,
    "outsider": {"404"},
    "other_supervisor": REFUSED,
    "other_facilitator": REFUSED,
    "facilitator": REFUSED,
    # "2xx" only for a page that ignores POST: the matrix fails any write it makes.
    "supervisor": {"403", "2xx"},
    "owner": {"2xx", "3xx", *INVALID},
}
UNSCOPED_READ: Expect = {
    "anonymous": {"login"},
    "client": REFUSED,
    "admin": REFUSED,
    "outsider": {"2xx", "3xx", "403"},
    "other_supervisor": {"2xx", "3xx", "403"},
    # A facilitator sees no clinical list: refused, or (API) an empty list searched for data.
    "other_facilitator": {"2xx", "403"},
    "facilitator": {"2xx", "403"},
    "supervisor": {"2xx", "3xx", "403"},
    "owner": {"2xx", "3xx", "403"},
}
UNSCOPED_WRITE: Expect = {
    "anonymous": {"login"},
    "client": REFUSED,
    "admin": REFUSED,
    "outsider": {"2xx", "3xx", "403", *INVALID},
    "other_supervisor": {"403", "2xx", *INVALID},
    "other_facilitator": {"403", "2xx", *INVALID},
    "facilitator": {"403", "2xx", *INVALID},
    "supervisor": {"403", "2xx", *INVALID},
    "owner": {"2xx", "3xx", "403", *INVALID},
}


def _api(expect: Expect) -> Expect:
    """Return the same expectations for the API: 401 instead of a login redirect."""
    converted = {
        role: {"401" if t == "login" else t for t in tokens} for role, tokens in expect.items()
    }
    return converted


API_UNSCOPED_READ: Expect = {
    **_api(UNSCOPED_READ),
    # Reference data (instruments) and a client's own record are open to those roles; the
    # page is searched for the owner's data all the same.
    "client": {"2xx", *REFUSED},
    "admin": {"2xx", *REFUSED},
}
API_UNSCOPED_WRITE: Expect = {
    **_api(UNSCOPED_WRITE),
    "outsider": {"2xx", "403", "404", *INVALID},
}

# The client's own record over the API: the client alone; staff are refused for their role
# before any lookup, so an outsider learns no more than the owner's therapist does.
PORTAL_API_READ: Expect = {**everyone({"403"}, anonymous={"401"}), "client": {"2xx"}}
PORTAL_API_WRITE: Expect = {**everyone({"403"}, anonymous={"401"}), "client": {"2xx", *INVALID}}

# IPT groups (openipt.groups): the owner is the group's clinician; the facilitator runs its
# sessions; the owner's supervisor reads; another facilitator gets 404 like an outsider.
GROUP_API_PATHS = ("/api/v1/groups", "/api/v1/group-", "/api/v1/screenings")
GROUP_SCOPED_READ: Expect = {
    **SCOPED_READ,
    "other_facilitator": {"404"},
    # Pages for the clinician alone (enrolling) refuse a facilitator for their role.
    "facilitator": {"2xx", "3xx", "403"},
}
GROUP_SCOPED_WRITE: Expect = {
    **SCOPED_WRITE,
    "other_facilitator": {"404"},
    "facilitator": {"2xx", "3xx", "403", *INVALID},
}
GROUP_UNSCOPED: Expect = {
    **UNSCOPED_READ,
    "other_facilitator": {"2xx", "3xx", "403"},
    "facilitator": {"2xx", "3xx", "403"},
}
GROUP_UNSCOPED_WRITE: Expect = {
    **UNSCOPED_WRITE,
    "other_facilitator": {"2xx", "3xx", "403", *INVALID},
    "facilitator": {"2xx", "3xx", "403", *INVALID},
}


def is_group_route(route: Route) -> bool:
    if route.kind == "api":
        return route.template.startswith(GROUP_API_PATHS)
    return _area(route) == "groups"


# Notifications are for clinicians and admins: group facilitators are refused for their role
# (a risk answer in a group reaches the member's own therapist; openipt.notify).
NOT_NOTIFIED: Expect = {role: {"403"} for role in ROLES if "facilitator" in role}

RULES: list[Rule] = [
    Rule(
        "allauth's own account and MFA pages",
        lambda r: r.view_module.startswith("allauth."),
        None,
        None,
        "Excluded: sign-in, sign-out, password and MFA pages are allauth's; their use is "
        "tested in tests/security/test_authentication.py.",
    ),
    Rule(
        "Django admin",
        lambda r: _area(r) == "admin",
        None,
        None,
        "Excluded: the admin site opens to a superuser only (no application role is one), "
        "behind allauth's login and the MFA gate; tested in test_authentication.py and "
        "tests/accounts/test_admin_separation.py.",
    ),
    Rule(
        "account administration (admin only)",
        lambda r: _area(r) == "manage",
        {**everyone({"403"}, anonymous={"login"}), "admin": {"2xx", "3xx"}},
        # An empty form is refused (or the password asked again) before anything is saved.
        {**everyone({"403"}, anonymous={"login"}), "admin": {"2xx", "3xx", *INVALID}},
        "Staff accounts, roles, teams and tokens: no clinical record, and no page for the "
        "clinical roles (tests/accounts/test_admin_pages.py).",
    ),
    Rule(
        "revoking one of one's own API tokens",
        lambda r: _area(r) == "tokens" and _is_scoped(r),
        {**everyone({"404", "405"}, anonymous={"login"}), "client": {"403", "405"}},
        {**everyone({"404"}, anonymous={"login"}), "client": {"403"}, "owner": {"3xx"}},
        "The token is the owner's: anyone else's attempt is a 404; clients hold no token.",
    ),
    Rule(
        "one's own API tokens",
        lambda r: _area(r) == "tokens",
        {**everyone({"2xx"}, anonymous={"login"}), "client": {"403"}},
        # A token needs a name, so the empty form makes none.
        {**everyone({"2xx", "3xx"}, anonymous={"login"}), "client": {"403"}},
        "Each member of staff sees and makes only their own tokens.",
    ),
    Rule(
        "public health checks and API description",
        lambda r: r.view_name in PUBLIC,
        everyone({"2xx", "404"}),
        everyone({"405", "2xx", "404"}),
        "Carry no health data: load balancers and API clients read them signed out.",
    ),
    Rule(
        "sources page",
        lambda r: r.view_name == "core:sources",
        everyone({"2xx"}, anonymous={"login"}),
        everyone({"405"}, anonymous={"login"}),
        "The references behind the [S#] tags: no health data, for anyone signed in.",
    ),
    Rule(
        "home redirect",
        lambda r: r.view_name == "home",
        everyone({"3xx"}, anonymous={"login"}),
        everyone({"3xx", "405"}, anonymous={"login"}),
    ),
    Rule(
        "client's own start page",
        lambda r: r.view_name == "portal:home",
        {**everyone({"2xx", "3xx", "403", "404"}, anonymous={"login"}), "client": {"2xx"}},
        {**everyone({"2xx", "3xx", "403", "404", "405"}, anonymous={"login"})},
        "Shows a client their own plan; searched for the owner's data for everyone else.",
    ),
    Rule(
        "audit trail (admin only)",
        lambda r: _area(r) == "audit",
        {**everyone({"403"}, anonymous={"login"}), "admin": {"2xx", "3xx"}},
        {**everyone({"403"}, anonymous={"login"}), "admin": {"405"}},
        "The audit pages only read: every write is refused with 405.",
    ),
    Rule(
        "portal sign-in and join links",
        lambda r: r.view_name in PORTAL_ACCESS,
        everyone({"2xx", "3xx", "400", "404", "410"}),
        everyone({"2xx", "3xx", "400", "404", "410", *INVALID}),
        "How a client without a password gets in: open to anyone, show no record.",
    ),
    Rule(
        "client portal",
        lambda r: _area(r) == "portal" and r.view_name not in PORTAL_STAFF,
        {**everyone(REFUSED, anonymous={"login"}), "client": {"2xx", "3xx", "404"}},
        {**everyone(REFUSED, anonymous={"login"}), "client": {"2xx", "3xx", *INVALID, *REFUSED}},
        "The client's own pages: staff are refused there.",
    ),
    Rule(
        "client's own record over the API",
        lambda r: r.kind == "api" and r.template.startswith(PORTAL_API_PREFIX),
        PORTAL_API_READ,
        PORTAL_API_WRITE,
        "Questionnaires due, plan, tasks and daily log of the signed-in client; another "
        "client's task is a 404 (tests/portal/test_api.py).",
        client_owns=True,
    ),
    Rule(
        "a supervisor's review of a group session",
        lambda r: r.view_name == "groups:review",
        {**GROUP_SCOPED_READ, **{r: {"405"} for r in ("owner", "supervisor", "facilitator")}},
        {**GROUP_SCOPED_WRITE, "owner": {"403"}, "facilitator": {"403"}, "supervisor": {"3xx"}},
        "Only the group's supervisor marks its sessions reviewed (the weekly queue).",
        writers=("supervisor",),
    ),
    Rule(
        "a group's follow-up PHQ-9s (the clinician's page)",
        lambda r: r.view_name == "groups:follow_up",
        {**GROUP_SCOPED_READ, "facilitator": {"403"}, "supervisor": {"403"}, "owner": {"2xx"}},
        {
            **GROUP_SCOPED_WRITE,
            "facilitator": {"403"},
            "supervisor": {"403"},
            "owner": {"2xx", "3xx", *INVALID},
        },
        "Only the group's clinician enters follow-ups (on the members' courses); a facilitator "
        "gives the PHQ-9 at sessions only; another facilitator or therapist gets 404 "
        "(tests/groups/test_follow_up.py).",
    ),
    Rule(
        "group operation about one of the owner's groups (API)",
        lambda r: r.kind == "api" and is_group_route(r) and _is_scoped(r),
        _api(GROUP_SCOPED_READ),
        _api(GROUP_SCOPED_WRITE),
        "As the group pages: 401 instead of a login redirect.",
        writers=("facilitator",),
    ),
    Rule(
        "group operation without an object in its path (API)",
        lambda r: r.kind == "api" and is_group_route(r),
        _api(GROUP_UNSCOPED),
        _api(GROUP_UNSCOPED_WRITE),
        "As the group pages: 401 instead of a login redirect.",
    ),
    Rule(
        "group page about one of the owner's groups",
        lambda r: is_group_route(r) and _is_scoped(r),
        GROUP_SCOPED_READ,
        GROUP_SCOPED_WRITE,
        "The clinician manages the group, its facilitators run its sessions, supervisors "
        "read; another facilitator or therapist gets 404 (tests/groups/test_views.py).",
        writers=("facilitator",),
    ),
    Rule(
        "group list, screening list, dashboards and forming a group (pages)",
        lambda r: is_group_route(r),
        GROUP_UNSCOPED,
        GROUP_UNSCOPED_WRITE,
        "Each role sees its own groups there; the screening list is the clinician's.",
    ),
    Rule(
        "job queue page (admin only)",
        lambda r: _area(r) == "jobs",
        {**everyone({"403"}, anonymous={"login"}), "admin": {"2xx", "405"}},
        {**everyone({"403"}, anonymous={"login"}), "admin": {"3xx", "405"}},
        "Scheduled jobs' runs, failed jobs and undelivered messages: no clinical text "
        "(tests/notify/test_pages.py).",
    ),
    Rule(
        "acknowledging an alert",
        lambda r: r.view_name == "notify:acknowledge",
        {
            **everyone({"405"}, anonymous={"login"}),
            "client": {"403"},
            "admin": {"403"},
            **NOT_NOTIFIED,
        },
        {
            **everyone({"404"}, anonymous={"login"}),
            "client": {"403"},
            "admin": {"403"},
            "supervisor": {"3xx"},
            "owner": {"3xx"},
            **NOT_NOTIFIED,
        },
        "Anyone who may see the alert may acknowledge it (its therapist, their supervisor); "
        "anyone else gets 404.",
    ),
    Rule(
        "a client's reminder choices",
        lambda r: r.view_name == "notify:client_reminders",
        SCOPED_READ,
        SCOPED_WRITE,
        "Part of the client's record: their therapist records it, the supervisor reads it.",
    ),
    Rule(
        "opening one's own notification",
        lambda r: r.view_name == "notify:open",
        {**everyone({"405"}, anonymous={"login"}), "client": {"403"}, **NOT_NOTIFIED},
        {
            **everyone({"404"}, anonymous={"login"}),
            "client": {"403"},
            "owner": {"3xx"},
            **NOT_NOTIFIED,
        },
        "A notification is its recipient's: anyone else's attempt is a 404.",
    ),
    Rule(
        "one's own notifications and preferences",
        lambda r: _area(r) == "notify",
        {
            **everyone({"2xx", "405"}, anonymous={"login"}),
            "client": {"403"},
            "admin": {"2xx", "403", "405"},
            **NOT_NOTIFIED,
        },
        {
            **everyone({"2xx", "3xx"}, anonymous={"login"}),
            "client": {"403"},
            "admin": {"3xx", "403"},
            **NOT_NOTIFIED,
        },
        "Each member of staff sees only their own notifications; preferences are the "
        "clinicians'. Clients are told nothing here.",
    ),
    Rule(
        "one's own notification over the API",
        lambda r: r.kind == "api" and r.template.startswith("/api/v1/notifications/"),
        {**everyone({"404", "405"}, anonymous={"401"}), "client": {"403", "405"}, **NOT_NOTIFIED},
        {
            **everyone({"404"}, anonymous={"401"}),
            "client": {"403"},
            "owner": {"2xx"},
            **NOT_NOTIFIED,
        },
        "A notification is its recipient's: anyone else's attempt is a 404.",
    ),
    Rule(
        "API operation on one of the owner's objects",
        lambda r: r.kind == "api" and _is_scoped(r),
        _api(SCOPED_READ),
        _api(SCOPED_WRITE),
    ),
    Rule(
        "API operation without an object in its path",
        lambda r: r.kind == "api",
        API_UNSCOPED_READ,
        API_UNSCOPED_WRITE,
    ),
    Rule(
        "clinical page about one of the owner's objects",
        lambda r: _is_scoped(r) and (_area(r) in CLINICAL_NAMESPACES or not r.namespace),
        SCOPED_READ,
        SCOPED_WRITE,
    ),
    Rule(
        "clinical list or create page",
        lambda r: _area(r) in CLINICAL_NAMESPACES,
        UNSCOPED_READ,
        UNSCOPED_WRITE,
    ),
]

# Routes whose expectations differ from their rule, each with its reason. Keyed by
# view name (pages) or operationId (API).
EXCEPTIONS: dict[str, tuple[Expect | None, Expect | None, str]] = {}


def rule_for(route: Route) -> Rule | None:
    """Return the first rule that matches the route, or None when it is undeclared."""
    key = route.view_name if route.kind == "page" else route.url_name
    if key in EXCEPTIONS:
        read, write, why = EXCEPTIONS[key]
        return Rule(f"exception for {key}", lambda r: True, read, write, why)
    for rule in RULES:
        if rule.matches(route):
            return rule
    return None
