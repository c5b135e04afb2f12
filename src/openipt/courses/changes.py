"""Which writes change a course: every saved or deleted row that belongs to one.

Kept pages and charts (`openipt.core.kept`) are valid until a course's records change.
Rather than trusting each service to say so, every model whose rows belong to a course,
directly (a `course` foreign key) or through a parent that does (an item answer through
its questionnaire), is found from the models themselves when the app starts, and a save or
delete of any of them replaces the course's tokens. A client's own rows change all of
the client's courses. A model added tomorrow is covered without being listed here;
tests/courses/test_changes.py checks that no model with health data escapes.
Writes that bypass signals (`QuerySet.update`) call `course_changed` themselves.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models.signals import post_delete, post_save

from openipt.core import kept

# Model label -> the foreign keys to follow from it to the course ("" for the course itself).
_PATHS: dict[str, tuple[str, ...]] = {}
_CLIENT_PATHS: dict[str, str] = {}


def course_changed(course_id: int, therapist_id: int | None) -> None:
    """Say that one course's records changed: its kept views must be made again."""
    kept.changed(kept.course_scopes(course_id, therapist_id))


def _courses_of_client(client_id: int) -> list[tuple[int, int]]:
    from openipt.courses.models import Course

    return list(Course.objects.filter(client_id=client_id).values_list("pk", "therapist_id"))


def _course_of(instance: models.Model, path: tuple[str, ...]) -> tuple[int, int | None] | None:
    """Return (course id, therapist id) of the course a row belongs to, if it still exists.

    Reads the related objects the service already holds; queries only when it has none.
    """
    from openipt.courses.models import Course

    if not path:
        return instance.pk, instance.therapist_id  # type: ignore[attr-defined]
    parent = instance._state.fields_cache.get(path[0])
    parent_id = getattr(instance, f"{path[0]}_id", None)
    if parent_id is None:
        return None
    if len(path) == 1:
        if parent is not None:
            return parent_id, parent.therapist_id
        therapist = Course.objects.filter(pk=parent_id).values_list("therapist_id", flat=True)
        return parent_id, therapist.first()
    if parent is not None and (course := parent._state.fields_cache.get(path[1])) is not None:
        return course.pk, course.therapist_id
    field = instance._meta.get_field(path[0])
    row = (
        field.related_model._default_manager.filter(pk=parent_id)  # type: ignore[union-attr]
        .values_list(f"{path[1]}_id", f"{path[1]}__therapist_id")
        .first()
    )
    return (row[0], row[1]) if row and row[0] is not None else None


def _on_write(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    label = sender._meta.label_lower
    if label in _PATHS:
        found = _course_of(instance, _PATHS[label])
        if found:
            course_changed(*found)
        if label == "courses.course":
            _neighbours_changed(instance)
    elif label in _CLIENT_PATHS:
        client_id = getattr(instance, _CLIENT_PATHS[label])
        for course_id, therapist_id in _courses_of_client(client_id) if client_id else ():
            course_changed(course_id, therapist_id)
        # Reports count clients (referrals) and hide erased ones, with or without a course.
        if client_id and (primary := _primary_therapist(instance, _CLIENT_PATHS[label])):
            kept.changed([kept.therapist_scope(primary), kept.SERVICE])


def _neighbours_changed(course: models.Model) -> None:
    """A course's page names the course it follows and those that follow it."""
    from openipt.courses.models import Course

    if getattr(course, "follows_id", None) and (found := _course_of(course, ("follows",))):
        course_changed(*found)
    for course_id, therapist_id in Course.objects.filter(follows_id=course.pk).values_list(
        "pk", "therapist_id"
    ):
        course_changed(course_id, therapist_id)


def _primary_therapist(instance: models.Model, field: str) -> int | None:
    """Return the primary therapist of a client row's client, read from it when it can be."""
    from openipt.clients.models import Client

    if field == "pk":
        return instance.primary_therapist_id  # type: ignore[attr-defined]
    client = instance._state.fields_cache.get(field.removesuffix("_id"))
    if client is not None:
        return client.primary_therapist_id
    found = Client.objects.filter(pk=getattr(instance, field))
    return found.values_list("primary_therapist_id", flat=True).first()


def _on_user_saved(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """A user's name and role show on their supervisor's dashboard and reports: replace the
    scope of their courses. A sign-in (only last_login saved) changes nothing shown."""
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    kept.changed([kept.therapist_scope(instance.pk)])


def path_to_course(model: type[models.Model]) -> tuple[str, ...] | None:
    """Return the foreign keys from a model to its course, at most two steps away."""
    from openipt.courses.models import Course

    if model is Course:
        return ()
    direct = _foreign_keys(model)
    for name, target in direct:
        if target is Course:
            return (name,)
    for name, target in direct:
        for inner, inner_target in _foreign_keys(target):
            if inner_target is Course:
                return (name, inner)
    return None


def _foreign_keys(model: type[models.Model]) -> list[tuple[str, type[models.Model]]]:
    return [
        (f.name, f.related_model)  # type: ignore[misc]
        for f in model._meta.concrete_fields
        if f.is_relation and (f.many_to_one or f.one_to_one)
    ]


def _client_field(model: type[models.Model]) -> str | None:
    from openipt.clients.models import Client

    if model is Client:
        return "pk"
    for name, target in _foreign_keys(model):
        if target is Client:
            return f"{name}_id"
    return None


HEALTH_APPS = ("clients", "courses", "interpersonal", "assessments", "portal", "privacy")


def connect() -> None:
    """Find the models whose writes change a course and listen to their saves and deletes."""
    for model in apps.get_models():
        if model._meta.app_label not in HEALTH_APPS:
            continue
        label = model._meta.label_lower
        path = path_to_course(model)
        if path is not None:
            _PATHS[label] = path
        elif (client_field := _client_field(model)) is not None:
            _CLIENT_PATHS[label] = client_field
    post_save.connect(_on_write, dispatch_uid="openipt_course_changed_save")
    post_delete.connect(_on_write, dispatch_uid="openipt_course_changed_delete")
    post_save.connect(
        _on_user_saved, sender=get_user_model(), dispatch_uid="openipt_user_changed_save"
    )


def watched() -> dict[str, str]:
    """Return each watched model and how its writes reach a course (for tests and docs)."""
    found = {label: "course via " + (".".join(p) or "itself") for label, p in _PATHS.items()}
    found.update({label: f"client via {f}" for label, f in _CLIENT_PATHS.items()})
    return found
