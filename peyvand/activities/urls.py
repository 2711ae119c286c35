from django.urls import path

from peyvand.activities import views

app_name = "activities"
urlpatterns = [
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/new/", views.task_edit, name="task_create"),
    path("tasks/<int:pk>/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
    path("tasks/<int:pk>/reopen/", views.task_reopen, name="task_reopen"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("notifications/seen/", views.notifications_seen, name="notifications_seen"),
    path("notifications/poll/", views.notification_poll, name="notification_poll"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/events/", views.event_list, name="event_list"),
    path("calendar/events/new/", views.event_edit, name="calendar_event_create"),
    path("calendar/events/<int:pk>/", views.event_edit, name="calendar_event_edit"),
    path("calendar/events/<int:pk>/done/", views.event_done, name="calendar_event_done"),
    path("calendar/events/<int:pk>/delete/", views.event_delete, name="calendar_event_delete"),
    path("calendar/feed/", views.calendar_feed, name="calendar_feed"),
    path("calendar/ics/<str:key>.ics", views.ics, name="ics"),
    path("calls/", views.call_list, name="call_list"),
    path("calls/new/", views.call_edit, name="call_create"),
    path("calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("calls/<int:pk>/edit/", views.call_edit, name="call_edit"),
]
