"""Turn course plans into table rows: one tuple per row, in each table's column order.

The column lists below are the contract with the models: `writer.Table` refuses a list that
misses a NOT NULL column, so a model change shows up as a clear error, not as bad rows.
Free text is left blank or labelled synthetic: the generator invents no clinical content.
"""

from __future__ import annotations

from openipt.accounts.models import User
from openipt.assessments.models import Administration, Alert, ItemAnswer
from openipt.clients.models import Client
from openipt.courses.models import (
    Contract,
    Course,
    Focus,
    Goal,
    MedicationEvaluation,
    RelapsePlan,
    Session,
    SickRole,
    TaskCompletion,
    TerminationReview,
)
from openipt.interpersonal.models import LifeEvent, Person
from openipt.synth.writer import Table

SUMMARY = (
    "sessions_attended", "last_session_on", "phq9_first", "phq9_last", "gad7_first",
    "gad7_last", "latest_score_at", "open_alerts", "measure_due", "measure_missed",
    "not_on_track", "caseness", "finished", "recovered", "reliably_improved",
    "reliably_deteriorated", "reliably_recovered", "responded", "remitted",
)  # fmt: skip
PERSON_TEXT = (
    "description", "contact_frequency", "shared_activities", "satisfying", "unsatisfying",
    "feelings", "expectations_self", "expectations_other", "can_talk_about",
    "cannot_talk_about", "changes_wished",
)  # fmt: skip
PERSON_BLANKS = ("",) * len(PERSON_TEXT)
REVIEW_TEXT = ("why_better", "achieved", "not_achieved", "feelings_about_ending")
SYNTHETIC_NOTE = "Synthetic record made by openipt synth."


def tables() -> dict[str, Table]:
    """Return the tables written, parents first (the writer's order)."""
    specs = {
        "user": Table(User, (
            "id", "password", "last_login", "is_superuser", "username", "first_name",
            "last_name", "email", "is_staff", "is_active", "date_joined", "role",
            "supervisor_id", "display_name",
        )),
        "client": Table(Client, (
            "id", "name", "record_number", "date_of_birth", "email", "primary_therapist_id",
            "user_id", "show_progress_to_client", "created_at", "updated_at",
        )),
        "course": Table(Course, (
            "id", "client_id", "therapist_id", "follows_id", "format", "status",
            "planned_sessions", "frequency", "contract_agreed_on", "maintenance_months",
            "started_on", "ended_on", "end_decision", "end_decision_detail", "symptom_onset",
            "intake_flags", "referrer", "primary_area", "created_at", "updated_at", *SUMMARY,
        )),
        "contract": Table(Contract, (
            "id", "course_id", "planned_sessions", "frequency", "agreed_on",
            "is_renegotiation", "reason", "recorded_by_id", "recorded_at",
        )),
        "session": Table(Session, (
            "id", "course_id", "number", "date", "attendance", "modality", "phase",
            "is_engagement", "techniques", "strategies", "recorded_by_id", "created_at",
            "mood_event_link", "between_sessions_work", "notes",
        )),
        "administration": Table(Administration, (
            "id", "course_id", "session_id", "instrument", "version", "total", "band",
            "completed_by", "completed_at", "entered_by_id", "risk_items", "flags",
            "created_at",
        )),
        "item": Table(
            ItemAnswer, ("item", "position", "value", "scored", "administration_id"),
            explicit_id=False,
        ),
        "alert": Table(Alert, (
            "id", "course_id", "administration_id", "instrument", "version", "item", "value",
            "raised_at", "raised_by_id", "status", "action", "note", "resolved_by_id",
            "resolved_at",
        )),
        "focus": Table(Focus, (
            "id", "course_id", "area", "dispute_stage", "reason", "deficits_confirmed",
            "position", "chosen_on", "replaced_at", "recorded_by_id",
        )),
        "goal": Table(Goal, (
            "id", "course_id", "text", "status", "position", "after_treatment", "updated_at",
        )),
        "task": Table(TaskCompletion, (
            "id", "course_id", "task_id", "session_id", "note", "completed_on",
            "recorded_by_id",
        )),
        "sick_role": Table(SickRole, (
            "id", "course_id", "diagnosis_system", "diagnosis_code", "diagnosis_label",
            "limited", "explained_on", "note",
        )),
        "medication": Table(MedicationEvaluation, (
            "id", "course_id", "evaluated_on", "decision", "severity", "past_history",
            "prior_response", "preference", "note",
        )),
        "termination": Table(TerminationReview, (
            "id", "course_id", "ending_raised_on", "response", "maintenance_discussed",
            "reviewed_on", "recorded_by_id", "anticipated_problems", *REVIEW_TEXT,
        )),
        "relapse_plan": Table(RelapsePlan, (
            "id", "course_id", "warning_signs", "what_helps", "people_to_tell",
            "whom_to_contact", "updated_at",
        )),
        "person": Table(Person, (
            "id", "course_id", "label", "ring", "relationship", "status",
            "expectations_match", "conflict", "knows_about_depression", "support",
            "created_at", "updated_at", *PERSON_TEXT,
        )),
        "life_event": Table(LifeEvent, (
            "id", "course_id", "date", "kind", "person_id", "description", "created_at",
        )),
    }  # fmt: skip
    return specs
