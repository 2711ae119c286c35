from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peyvand.lookups import services
from peyvand.lookups.forms import lookup_form_class
from peyvand.lookups.models import LOOKUP_LISTS, LookupItem

manage_settings = permission_required("accounts.manage_settings", raise_exception=True)


def _model_for(slug: str) -> type[LookupItem]:
    try:
        return LOOKUP_LISTS[slug]
    except KeyError:
        raise Http404 from None


@manage_settings
def index(request: HttpRequest) -> HttpResponse:
    lists = [(slug, model._meta.verbose_name_plural) for slug, model in LOOKUP_LISTS.items()]
    return render(request, "lookups/index.html", {"lists": lists})


@manage_settings
def item_list(request: HttpRequest, slug: str) -> HttpResponse:
    model = _model_for(slug)
    form_class = lookup_form_class(model)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        item = services.lookup_save(item=form.save(commit=False))
        messages.success(request, _("«%(name)s» افزوده شد.") % {"name": item})
        return redirect("lookups:list", slug=slug)
    return render(
        request,
        "lookups/list.html",
        {
            "slug": slug,
            "title": model._meta.verbose_name_plural,
            "extra_fields": [model._meta.get_field(name) for name in model.extra_fields],
            "items": model.objects.all(),
            "form": form,
        },
    )


@manage_settings
def item_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    model = _model_for(slug)
    item = get_object_or_404(model, pk=pk)
    form = lookup_form_class(model)(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        services.lookup_save(item=form.save(commit=False))
        messages.success(request, _("«%(name)s» ذخیره شد.") % {"name": item})
        return redirect("lookups:list", slug=slug)
    return render(
        request,
        "lookups/edit.html",
        {"slug": slug, "title": model._meta.verbose_name_plural, "form": form, "item": item},
    )


@manage_settings
@require_POST
def item_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    item = get_object_or_404(_model_for(slug), pk=pk)
    try:
        services.lookup_delete(item=item)
    except services.LookupInUse:
        messages.error(
            request,
            _("«%(name)s» در پرونده‌ها به کار رفته و حذف‌شدنی نیست؛ به جای حذف، غیرفعالش کنید.")
            % {"name": item},
        )
    else:
        messages.success(request, _("«%(name)s» حذف شد.") % {"name": item})
    return redirect("lookups:list", slug=slug)
