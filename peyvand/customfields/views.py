from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from peyvand.customfields.forms import CustomFieldDefinitionForm
from peyvand.customfields.models import CustomField, sections
from peyvand.customfields.registry import targets

manage_settings = permission_required("accounts.manage_settings", raise_exception=True)


@manage_settings
def field_list(request: HttpRequest) -> HttpResponse:
    fields = list(CustomField.objects.all())
    groups = [
        (label, title, sections([field for field in fields if field.target == label]))
        for label, title in targets.items()
    ]
    return render(request, "customfields/list.html", {"groups": groups})


@manage_settings
@require_http_methods(["GET", "POST"])
def field_create(request: HttpRequest) -> HttpResponse:
    initial = {"target": request.GET.get("target")}
    form = CustomFieldDefinitionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        field = form.save()
        messages.success(request, _("فیلد «%(label)s» افزوده شد.") % {"label": field})
        return redirect("customfields:list")
    return render(request, "customfields/form.html", {"form": form})


@manage_settings
@require_http_methods(["GET", "POST"])
def field_edit(request: HttpRequest, pk: int) -> HttpResponse:
    field = get_object_or_404(CustomField, pk=pk)
    form = CustomFieldDefinitionForm(request.POST or None, instance=field)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("فیلد «%(label)s» ذخیره شد.") % {"label": field})
        return redirect("customfields:list")
    return render(request, "customfields/form.html", {"form": form, "field": field})
