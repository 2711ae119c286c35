from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peyvand.activities import services
from peyvand.activities.forms import TaskFilterForm, TaskForm
from peyvand.activities.models import Notification, Task
from peyvand.activities.selectors import tasks_for_list, todays_tasks, unseen_count
from peyvand.contacts.models import Contact
from peyvand.contacts.selectors import int_param
from peyvand.core.access import get_visible_or_404, own_url
from peyvand.core.history import snapshot
from peyvand.core.pagination import paginate

# Tasks -------------------------------------------------------------------------------


@permission_required("activities.view_task", raise_exception=True)
def task_list(request: HttpRequest) -> HttpResponse:
    form = TaskFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    tasks = tasks_for_list(
        request.user,
        status=filters.get("status") or "open",
        scope=filters.get("scope") or "mine",
        urgency=filters.get("urgency"),
        overdue=bool(filters.get("overdue")),
    )
    page = paginate(tasks, request.GET.get("page"), settings.PAGE_SIZE)
    return render(request, "activities/task_list.html", {"form": form, "page": page})


@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A new task (?contact=… links it to a contact) or an existing one."""
    permission = "activities.change_task" if pk else "activities.add_task"
    if not request.user.has_perm(permission):
        raise PermissionDenied
    task = get_visible_or_404(Task, request.user, pk) if pk else Task(assignee=request.user)
    before = snapshot(task) if pk else None
    if task.pk is None and (contact_pk := int_param(request.GET, "contact")):
        task.related = get_visible_or_404(Contact, request.user, contact_pk)
    form = TaskForm(request.POST or None, instance=task, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_save(task=form.save(commit=False), by=request.user, before=before)
        except PermissionDenied as error:
            form.add_error("assignee", str(error))
        else:
            flash.success(request, _("وظیفه ذخیره شد."))
            return redirect("activities:task_list")
    context = {"form": form, "task": task if pk else None, "related": task.related}
    return render(request, "activities/task_form.html", context)


@permission_required("activities.change_task", raise_exception=True)
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_visible_or_404(Task, request.user, pk)
    if services.task_done(task=task, by=request.user):
        flash.success(request, _("وظیفه انجام شد."))
    else:
        flash.error(request, _("این وظیفه پیش‌تر انجام شده بود."))
    return redirect(own_url(request, request.POST.get("next", "")) or "activities:task_list")


@permission_required("activities.change_task", raise_exception=True)
@require_POST
def task_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_visible_or_404(Task, request.user, pk)
    if services.task_reopen(task=task, by=request.user):
        flash.success(request, _("وظیفه دوباره در دست انجام است."))
    return redirect(task)


def home_panel_context(request: HttpRequest) -> dict:
    return {"tasks": todays_tasks(request.user)}


# Notifications -----------------------------------------------------------------------


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.filter(user=request.user)
    page = paginate(notifications, request.GET.get("page"), settings.PAGE_SIZE)
    return render(request, "activities/notification_list.html", {"page": page})


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Marks one's own notification seen and goes to what it is about."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    services.notifications_seen(user=request.user, ids=[notification.pk])
    return redirect(own_url(request, notification.url) or "activities:notification_list")


@login_required
@require_POST
def notifications_seen(request: HttpRequest) -> HttpResponse:
    services.notifications_seen(user=request.user)
    back = own_url(request, request.POST.get("next", ""))
    return redirect(back or "activities:notification_list")


@login_required
@require_GET
def notification_poll(request: HttpRequest) -> JsonResponse:
    """What the bell polls: the unseen count, and the notifications newer than ``after``
    (at most 5) for pop-ups. Two indexed queries on the user's unseen rows."""
    after = int_param(request.GET, "after") or 0
    fresh = list(
        Notification.objects.filter(user=request.user, seen_at__isnull=True, pk__gt=after)
        .order_by("-id")
        .values("id", "title", "body")[:5]
    )
    for item in fresh:
        item["url"] = Notification(pk=item["id"]).get_absolute_url()
    return JsonResponse({"unseen": unseen_count(request.user), "fresh": fresh})
