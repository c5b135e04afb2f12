"""Admin pages for accounts only: clinical records are never edited through the admin."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from openipt.accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "supervisor", "is_active", "last_login")
    list_filter = ("role", "is_active")
    fieldsets = (  # type: ignore[misc]
        *BaseUserAdmin.fieldsets,
        ("OpenIPT", {"fields": ("role", "supervisor", "display_name")}),
    )
    add_fieldsets = (  # type: ignore[misc]
        *BaseUserAdmin.add_fieldsets,
        ("OpenIPT", {"fields": ("role", "supervisor", "display_name")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "created_at", "last_used_at", "expires_at", "revoked_at")
    readonly_fields = ("digest", "created_at", "last_used_at")
    list_select_related = ("user",)
