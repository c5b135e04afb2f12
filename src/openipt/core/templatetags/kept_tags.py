"""`{% kept %}`: keep a rendered part of a page until the records it shows change.

    {% load kept_tags %}
    {% kept "course-page" course can_edit %} ... {% endkept %}

The first argument names the fragment, the second is the record whose changes it follows
(a course: `openipt.core.kept`), the rest are whatever else the fragment varies with (the
viewer's kind of access). Today's date and the language are always part of the key. A
`{% csrf_token %}` inside renders a placeholder that each response fills with its own
token, so a kept form never carries another person's token.
"""

from __future__ import annotations

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from openipt.core import kept

register = template.Library()

CSRF_PLACEHOLDER = "__openipt_csrf_token__"


class KeptNode(template.Node):
    def __init__(
        self, nodelist: NodeList, name: FilterExpression, record: FilterExpression, parts: list
    ) -> None:
        self.nodelist = nodelist
        self.name = name
        self.record = record
        self.parts = parts

    def render(self, context: template.Context) -> SafeString:
        record = self.record.resolve(context)
        parts = (
            record.pk,
            timezone.localdate(),
            translation.get_language(),
            *(part.resolve(context) for part in self.parts),
        )

        def make() -> str:
            with context.push(csrf_token=CSRF_PLACEHOLDER):
                return str(self.nodelist.render(context))

        html = kept.get_or_make(
            str(self.name.resolve(context)), [kept.scope_of(record)], parts, make
        )
        token = context.get("csrf_token")
        if token and CSRF_PLACEHOLDER in html:
            html = html.replace(CSRF_PLACEHOLDER, str(token))
        return mark_safe(html)  # noqa: S308 - rendered by our own templates, escaped there


@register.tag("kept")
def do_kept(parser: Parser, token: Token) -> KeptNode:
    """Parse `{% kept name record [part ...] %} ... {% endkept %}`."""
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError("{% kept %} needs a name and a record")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    name, record, *parts = (parser.compile_filter(bit) for bit in bits[1:])
    return KeptNode(nodelist, name, record, parts)
