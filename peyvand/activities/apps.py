import datetime

from django.apps import AppConfig


def _reminders_due() -> bool:
    from peyvand.activities.reminders import due_reminders

    return due_reminders().exists()


class ActivitiesConfig(AppConfig):
    name = "peyvand.activities"
    label = "activities"
    verbose_name = "وظایف و یادآوری‌ها"

    def ready(self) -> None:
        from peyvand.activities import tasks
        from peyvand.activities.exports import call_rows, event_rows, task_rows
        from peyvand.activities.lists import CALLS, EVENTS, TASKS
        from peyvand.activities.selectors import task_history
        from peyvand.activities.views import contact_panel_context, home_panel_context
        from peyvand.core.background_exports import Exporter, register_exporter
        from peyvand.core.lists import register_list
        from peyvand.core.registry import (
            HistorySource,
            HomePanel,
            RecordPanel,
            register_history_source,
            register_home_panel,
            register_record_panel,
        )

        # The call log, the task and the event lists: their saved views find them by key.
        for spec in (CALLS, TASKS, EVENTS):
            register_list(spec)
        register_exporter(
            "events",
            Exporter("رویدادها", "activities.view_event", event_rows, "activities:event_list"),
        )
        register_exporter(
            "tasks", Exporter("وظایف", "activities.view_task", task_rows, "activities:task_list")
        )
        register_exporter(
            "calls", Exporter("تماس‌ها", "activities.view_call", call_rows, "activities:call_list")
        )
        register_history_source(
            HistorySource("وظایف", "check2-square", "activities.view_task", task_history, order=7)
        )
        from peyvand.core.scheduler import PeriodicJob, register_periodic

        # Checked at every beat (one indexed query); fired by a task when something is due.
        register_periodic(
            PeriodicJob(
                "activities.reminders",
                datetime.timedelta(seconds=1),
                tasks.fire_reminders,
                _reminders_due,
            )
        )
        register_record_panel(
            RecordPanel(
                "contacts.contact",
                "activities/_contact_panel.html",
                contact_panel_context,
                permission="activities.view_task",
                order=5,
            )
        )
        register_home_panel(
            HomePanel(
                "activities/_home_tasks.html",
                home_panel_context,
                "activities.view_task",
                order=5,
            )
        )
