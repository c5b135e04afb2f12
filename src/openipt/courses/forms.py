"""Forms of the course pages; choices come from `openipt.protocol`, rules from the services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone

from openipt.courses.models import Format as CourseFormat
from openipt.courses.models import Frequency, Goal, MedicationEvaluation, Session
from openipt.courses.records import DIAGNOSIS_SYSTEMS
from openipt.courses.templatetags.course_tags import SYSTEM_LABELS
from openipt.protocol.formats import Format, all_formats, get_format
from openipt.protocol.plan import Agenda
from openipt.protocol.problem_areas import DISPUTE_STAGES, all_areas, area_label, dispute_stage
from openipt.protocol.rules import AcuteEndDecision
from openipt.protocol.techniques import all_techniques

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 2})


def choices(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """Return a choice field of the form, typed, to set its choices from the protocol."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def _today():
    return timezone.localdate()


class StartCourseForm(forms.Form):
    format = forms.ChoiceField(label="IPT format", widget=forms.RadioSelect)
    planned_sessions = forms.IntegerField(
        label="Planned number of sessions",
        required=False,
        min_value=1,
        max_value=104,
        help_text="Leave blank to use the format's usual number; agree the contract later.",
    )
    started_on = forms.DateField(label="Start date", initial=_today, widget=DATE)
    confirm_old_start = forms.BooleanField(
        label="The start date is right, although it is long ago", required=False
    )
    referrer = forms.CharField(label="Referred by", required=False, max_length=200)
    symptom_onset = forms.DateField(label="Onset of symptoms", required=False, widget=DATE)
    intake_screened = forms.BooleanField(
        label="I have screened for the exclusions below", required=False
    )
    intake_flags = forms.MultipleChoiceField(
        label="Exclusions found", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.formats = [f for f in all_formats() if f.code in CourseFormat.values]
        choices(self, "format").choices = [(f.code, f.name) for f in self.formats]
        flags = get_format("adolescent").intake_flags
        choices(self, "intake_flags").choices = [(f.id, f.label) for f in flags]

    def screen(self) -> list[str] | None:
        """Return the exclusions found, or None when no screen was recorded."""
        flags = self.cleaned_data.get("intake_flags") or []
        if self.cleaned_data.get("format") != "adolescent":
            return None
        return list(flags) if flags or self.cleaned_data.get("intake_screened") else None


class ContractForm(forms.Form):
    planned_sessions = forms.IntegerField(label="Number of sessions", min_value=1, max_value=104)
    frequency = forms.ChoiceField(label="How often")
    agreed_on = forms.DateField(label="Agreed on", initial=_today, widget=DATE)
    reason = forms.CharField(
        label="Reason for the change",
        required=False,
        widget=TEXT,
        help_text="Needed when you change an agreed contract: changes are renegotiated "
        "explicitly [S33].",
    )

    def __init__(self, fmt: Format, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Frequency.choices)
        choices(self, "frequency").choices = [
            (f.value, labels[f.value]) for f in fmt.allowed_frequencies
        ]


def area_choices() -> list[tuple[str, str]]:
    """Return the areas the service's naming model has, named in that model."""
    scheme = settings.OPENIPT_PROBLEM_AREA_NAMING
    labelled = [(a.code.value, area_label(a.code, scheme)) for a in all_areas()]
    return [(code, label) for code, label in labelled if label]


class FocusForm(forms.Form):
    area = forms.ChoiceField(label="Problem area", widget=forms.RadioSelect)
    dispute_stage = forms.ChoiceField(
        label="Stage of the role dispute", required=False, widget=forms.RadioSelect
    )
    deficits_confirmed = forms.BooleanField(
        label="No grief, role dispute or role transition fits this client", required=False
    )
    second_area = forms.ChoiceField(label="Second problem area", required=False)
    reason = forms.CharField(label="Why a second area is needed", required=False, widget=TEXT)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        areas = area_choices()
        choices(self, "area").choices = areas
        choices(self, "second_area").choices = [("", "None (usual)"), *areas]
        choices(self, "dispute_stage").choices = [
            (s.value, f"{dispute_stage(s).label}: {dispute_stage(s).direction}")
            for s in DISPUTE_STAGES
        ]

    def areas(self) -> list[dict]:
        """Return the areas as the service takes them, the dispute stage on the dispute."""
        data = self.cleaned_data
        codes = [data["area"], *([data["second_area"]] if data.get("second_area") else [])]
        return [
            {
                "area": code,
                "dispute_stage": data.get("dispute_stage") or None,
                "deficits_confirmed": bool(data.get("deficits_confirmed")),
                "reason": data.get("reason", "") if n == 2 else "",
            }
            for n, code in enumerate(codes, start=1)
        ]


class GoalForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(label="Goal, in the client's words", required=False, max_length=500)
    status = forms.ChoiceField(label="How far met", choices=Goal.Status.choices)
    after_treatment = forms.BooleanField(
        label="Keep working on it after the course", required=False
    )
    DELETE = forms.BooleanField(label="Remove", required=False)


GoalFormSet = forms.formset_factory(GoalForm, extra=2, max_num=10, absolute_max=20)


class SessionForm(forms.Form):
    date = forms.DateField(label="Date", initial=_today, widget=DATE)
    attendance = forms.ChoiceField(
        label="Attendance",
        choices=Session.Attendance.choices,
        initial=Session.Attendance.ATTENDED,
        widget=forms.RadioSelect,
    )
    modality = forms.ChoiceField(
        label="How",
        choices=Session.Modality.choices,
        initial=Session.Modality.IN_PERSON,
        widget=forms.RadioSelect,
    )
    tasks_done = forms.MultipleChoiceField(
        label="Tasks done in this session", required=False, widget=forms.CheckboxSelectMultiple
    )
    techniques = forms.MultipleChoiceField(
        label="Techniques used", required=False, widget=forms.CheckboxSelectMultiple
    )
    strategies = forms.MultipleChoiceField(
        label="Problem-area strategies worked on",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    mood_event_link = forms.CharField(
        label="Mood and events linked this week", required=False, widget=TEXT
    )
    between_sessions_work = forms.CharField(
        label="Work agreed for between sessions", required=False, widget=TEXT
    )
    notes = forms.CharField(
        label="Progress note", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    give_now = forms.MultipleChoiceField(
        label="Give questionnaires now",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="After saving, enter each one for this session, dated with it.",
    )

    def __init__(self, plan: Agenda, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices(self, "give_now").choices = scheduled_choices()
        choices(self, "tasks_done").choices = [
            (t.id, t.label) for t in plan.tasks if not _recurring(t.id)
        ]
        suggested = [t.id for t in plan.techniques]
        ordered = sorted(all_techniques(), key=lambda t: t.id not in suggested)
        choices(self, "techniques").choices = [
            (t.id, f"{t.label} (suggested)" if t.id in suggested else t.label) for t in ordered
        ]
        choices(self, "strategies").choices = [(s.text, s.text) for s in plan.strategies]


def scheduled_choices() -> list[tuple[str, str]]:
    """Return the service's scheduled questionnaires as (code, short name) choices."""
    from openipt.assessments.conf import scheduled_instruments
    from openipt.assessments.display import short_name
    from openipt.measures import get_instrument

    return [(code, short_name(get_instrument(code))) for code in scheduled_instruments()]


def _recurring(task_id: str) -> bool:
    from openipt.protocol.phases import get_task

    return get_task(task_id).recurring


class TerminationForm(forms.Form):
    ending_raised_on = forms.DateField(label="Ending first raised on", required=False, widget=DATE)
    why_better = forms.CharField(
        label='"Why are you feeling better?" In the client\'s words', required=False, widget=TEXT
    )
    achieved = forms.CharField(label="What was achieved", required=False, widget=TEXT)
    not_achieved = forms.CharField(label="What was not achieved", required=False, widget=TEXT)
    feelings_about_ending = forms.CharField(
        label="Feelings about ending", required=False, widget=TEXT
    )
    anticipated_problems = forms.CharField(
        label="Problems the client anticipates", required=False, widget=TEXT
    )
    response = forms.ChoiceField(
        label="Response to treatment", required=False, widget=forms.RadioSelect
    )
    warning_signs = forms.CharField(label="Warning signs", required=False, widget=TEXT)
    what_helps = forms.CharField(label="What helps", required=False, widget=TEXT)
    people_to_tell = forms.CharField(label="People to tell", required=False, widget=TEXT)
    whom_to_contact = forms.CharField(label="Whom to contact", required=False, widget=TEXT)
    maintenance_discussed = forms.BooleanField(
        label="Maintenance treatment was discussed", required=False
    )
    decision = forms.ChoiceField(
        label="Decision",
        required=False,
        widget=forms.RadioSelect,
        help_text="Needed to end the course; leave it for now to save the review only.",
    )
    detail = forms.CharField(label="Which treatment or service", required=False, widget=TEXT)
    maintenance_frequency = forms.ChoiceField(label="Maintenance sessions", required=False)
    maintenance_months = forms.IntegerField(
        label="For how many months", required=False, min_value=1, max_value=120
    )
    continuation_sessions = forms.IntegerField(
        label="Continuation sessions", required=False, min_value=1, max_value=104
    )
    ended_on = forms.DateField(
        label="Last day of this course", initial=_today, required=False, widget=DATE
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from openipt.courses.models import Course, TerminationReview

        choices(self, "response").choices = [
            ("", "Not judged yet"),
            *TerminationReview.Response.choices,
        ]
        labels = dict(Course.EndDecision.choices)
        choices(self, "decision").choices = [(d.value, labels[d.value]) for d in AcuteEndDecision]
        maintenance = get_format("maintenance")
        freq = dict(Frequency.choices)
        choices(self, "maintenance_frequency").choices = [("", "Choose")] + [
            (f.value, freq[f.value]) for f in maintenance.allowed_frequencies
        ]
        self.fields["maintenance_months"].initial = maintenance.default_duration_months


class SickRoleForm(forms.Form):
    diagnosis_label = forms.CharField(label="Diagnosis named to the client", max_length=200)
    diagnosis_system = forms.ChoiceField(
        label="Coding system",
        required=False,
        choices=[(code, SYSTEM_LABELS.get(code, "None")) for code in DIAGNOSIS_SYSTEMS],
    )
    diagnosis_code = forms.CharField(label="Code", required=False, max_length=16)
    explained_on = forms.DateField(label="Explained on", initial=_today, widget=DATE)
    note = forms.CharField(label="Note", required=False, widget=TEXT)


class MedicationForm(forms.Form):
    evaluated_on = forms.DateField(label="Evaluated on", initial=_today, widget=DATE)
    severity = forms.CharField(label="Severity of symptoms", required=False, widget=TEXT)
    past_history = forms.CharField(label="Past history of illness", required=False, widget=TEXT)
    prior_response = forms.CharField(
        label="Response to earlier treatment", required=False, widget=TEXT
    )
    preference = forms.CharField(label="The client's preference", required=False, widget=TEXT)
    decision = forms.ChoiceField(
        label="Decision", choices=MedicationEvaluation.Decision.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label="Note", required=False, widget=TEXT)


class CourseDetailsForm(forms.Form):
    """The course's details; changing a recorded one is a correction with a reason."""

    started_on = forms.DateField(label="Start date", widget=DATE)
    confirm_old_start = forms.BooleanField(
        label="The start date is right, although it is long ago", required=False
    )
    format = forms.ChoiceField(
        label="IPT format",
        choices=CourseFormat.choices,
        help_text="Can be corrected until a contract is agreed or a session is recorded.",
    )
    referrer = forms.CharField(label="Referred by", required=False, max_length=200)
    symptom_onset = forms.DateField(label="Onset of symptoms", required=False, widget=DATE)
    reason = forms.CharField(
        label="Why is a recorded detail changed?",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when you change a detail already recorded: it is kept with the "
        "previous value, your name and the time. Not needed to fill in an empty detail.",
    )


class SessionAmendForm(forms.Form):
    """A correction of a session record; the reason is required and kept with the change."""

    date = forms.DateField(label="Date", widget=DATE)
    modality = forms.ChoiceField(label="How it was held", choices=Session.Modality.choices)
    notes = forms.CharField(
        label="Progress note", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    between_sessions_work = forms.CharField(
        label="Work agreed between sessions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    mood_event_link = forms.CharField(
        label="Mood and events linked", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(
        label="Why is the record changed?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with the change, with your name and the time, and shown on the session.",
    )


class CloseCourseForm(forms.Form):
    """End a course without the termination review: a dropout, or a course opened in error."""

    how = forms.ChoiceField(
        label="How the course ends",
        widget=forms.RadioSelect,
        choices=[
            ("dropped_out", "The client dropped out (counted as an ended course)"),
            ("opened_in_error", "Opened in error (left out of every outcome)"),
        ],
    )
    ended_on = forms.DateField(label="Ended on", initial=_today, widget=DATE)
    reason = forms.CharField(label="Why", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class HistoryForm(forms.Form):
    psychiatric_history = forms.CharField(
        label="Psychiatric history",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Earlier episodes and their treatment, any history of mania, substance use, "
        "physical illness and medication.",
    )
    interpersonal_history = forms.CharField(
        label="Interpersonal history",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="The important relationships over the years and the interpersonal events near "
        "each episode (the inventory and the timeline hold today's detail).",
    )
    recorded_on = forms.DateField(label="Taken on", initial=_today, widget=DATE)


class LetterForm(forms.Form):
    """What the therapist writes in the letter and which parts of the record it includes."""

    recipient = forms.CharField(label="To", required=False, max_length=200)
    opening = forms.CharField(
        label="Opening paragraph",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="After the first sentence: what you want the reader to know first.",
    )
    sections = forms.MultipleChoiceField(
        label="Include", required=False, widget=forms.CheckboxSelectMultiple
    )
    closing = forms.CharField(
        label="Closing paragraph", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs) -> None:
        from openipt.courses.models_letter import SECTIONS

        super().__init__(*args, **kwargs)
        choices(self, "sections").choices = [(k, str(v)) for k, v in SECTIONS.items()]
