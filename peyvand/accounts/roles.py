"""Roles are Django groups with permissions. The three built-in roles are kept in step
after every migrate; managers may create more in the UI."""

from django.contrib.auth.models import Group, Permission

MANAGER = "مدیر"
SALES = "کارشناس فروش"
SUPPORT = "کارشناس پشتیبانی"
FINANCE = "مالی"

# Codenames per role; "*" means every permission of the project's apps.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    MANAGER: ["*"],
    SALES: [
        "contacts.add_contact",
        "contacts.change_contact",
        "contacts.delete_contact",
        "contacts.view_contact",
        "contacts.export_contact",
        "contacts.add_phonebookentry",
        "contacts.change_phonebookentry",
        "contacts.delete_phonebookentry",
        "contacts.view_phonebookentry",
        "messaging.view_message",
        "messaging.send_message",
        "messaging.send_broadcast",
        "messaging.view_broadcast",
        "messaging.view_contactgroup",
        "messaging.add_contactgroup",
        "messaging.change_contactgroup",
        "messaging.delete_contactgroup",
        "messaging.view_occasion",
        "messaging.add_occasion",
        "messaging.change_occasion",
        "messaging.delete_occasion",
        "activities.view_task",
        "activities.add_task",
        "activities.change_task",
        "activities.view_event",
        "activities.add_event",
        "activities.change_event",
        "activities.delete_event",
        "activities.view_call",
        "activities.add_call",
        "activities.change_call",
        "sales.view_lead",
        "sales.add_lead",
        "sales.change_lead",
        "sales.delete_lead",
        "sales.view_followup",
        "sales.add_followup",
        "sales.view_product",
        "sales.view_quote",
        "sales.add_quote",
        "sales.change_quote",
        "sales.view_invoice",
        "sales.add_invoice",
        "sales.sell_over_credit_limit",
        "finance.view_receipt",
        "finance.view_cheque",
        "finance.view_account",
        "surveys.view_project",
        "surveys.add_project",
        "surveys.change_project",
        "surveys.view_surveyresponse",
        "surveys.add_surveyresponse",
        "service.view_request",
        "service.add_request",
        "service.change_request",
        "service.delete_request",
        "service.view_feedback",
        "service.add_feedback",
        "service.delete_feedback",
        "service.view_complaint",
        "service.add_complaint",
        "service.change_complaint",
        "service.delete_complaint",
    ],
    SUPPORT: [
        "contacts.add_contact",
        "contacts.change_contact",
        "contacts.view_contact",
        "contacts.add_phonebookentry",
        "contacts.change_phonebookentry",
        "contacts.delete_phonebookentry",
        "contacts.view_phonebookentry",
        "messaging.view_message",
        "messaging.send_message",
        "activities.view_task",
        "activities.add_task",
        "activities.change_task",
        "activities.view_event",
        "activities.add_event",
        "activities.change_event",
        "activities.delete_event",
        "activities.view_call",
        "activities.add_call",
        "activities.change_call",
        "sales.view_followup",
        "sales.add_followup",
        "surveys.view_project",
        "surveys.view_surveyresponse",
        "surveys.add_surveyresponse",
        "service.view_request",
        "service.add_request",
        "service.change_request",
        "service.delete_request",
        "service.view_feedback",
        "service.add_feedback",
        "service.delete_feedback",
        "service.view_complaint",
        "service.add_complaint",
        "service.change_complaint",
        "service.delete_complaint",
    ],
    # Records what customers pay and follows their cheques, for every customer.
    FINANCE: [
        "accounts.see_all",
        "contacts.view_contact",
        "contacts.view_phonebookentry",
        "messaging.view_message",
        "messaging.send_message",
        "activities.view_task",
        "activities.add_task",
        "activities.change_task",
        "activities.view_event",
        "activities.add_event",
        "activities.change_event",
        "sales.view_quote",
        "sales.view_invoice",
        "finance.view_receipt",
        "finance.add_receipt",
        "finance.change_receipt",
        "finance.delete_receipt",
        "finance.view_cheque",
        "finance.manage_cheque",
        "finance.view_account",
        "finance.change_account",
        "finance.receive_cheque_alerts",
    ],
}
PROJECT_APPS = [
    "accounts", "core", "lookups", "contacts", "messaging", "activities", "sales", "service",
    "surveys", "finance", "automation",
]  # fmt: skip


def ensure_roles(app_config=None, **kwargs) -> None:
    """Gives each built-in role its permissions (adding, never taking away: a manager may
    have given a role more). As a post_migrate receiver it runs once, after the last
    app's permissions exist; migrate sends the signal per app, and a test's flush sends
    it again each time."""
    if app_config is not None and app_config is not _last_app_with_models():
        return
    permissions = {
        (app_label, codename): pk
        for pk, app_label, codename in Permission.objects.filter(
            content_type__app_label__in=PROJECT_APPS
        ).values_list("pk", "content_type__app_label", "codename")
    }
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        if codenames == ["*"]:
            wanted = set(permissions.values())
        else:
            pairs = (tuple(codename.split(".")) for codename in codenames)
            wanted = {permissions[pair] for pair in pairs if pair in permissions}
        group.permissions.add(*wanted)


def _last_app_with_models():
    from django.apps import apps

    return [config for config in apps.get_app_configs() if config.models_module is not None][-1]
