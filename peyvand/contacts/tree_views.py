"""Managers' screens for the category and region trees."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from peyvand.contacts.forms import tree_node_form_class
from peyvand.contacts.models import TREES
from peyvand.core import trees
from peyvand.core.models import TreeNode

manage_settings = permission_required("accounts.manage_settings", raise_exception=True)


def _model_for(slug: str) -> type[TreeNode]:
    try:
        return TREES[slug]
    except KeyError:
        raise Http404 from None


@manage_settings
@require_http_methods(["GET", "POST"])
def tree(request: HttpRequest, slug: str) -> HttpResponse:
    model = _model_for(slug)
    form = tree_node_form_class(model)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        node = trees.node_create(node=form.save(commit=False))
        messages.success(request, _("«%(name)s» افزوده شد.") % {"name": node})
        return redirect("trees:tree", slug=slug)
    return render(
        request,
        "contacts/tree.html",
        {
            "slug": slug,
            "title": model._meta.verbose_name_plural,
            "nodes": trees.ordered_nodes(model),
            "form": form,
            "other_trees": [(key, tree._meta.verbose_name_plural) for key, tree in TREES.items()],
        },
    )


@manage_settings
@require_http_methods(["GET", "POST"])
def tree_node_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    model = _model_for(slug)
    node = get_object_or_404(model, pk=pk)
    form = tree_node_form_class(model)(request.POST or None, instance=node)
    if request.method == "POST" and form.is_valid():
        try:
            trees.node_update(node=form.save(commit=False))
        except ValidationError as error:
            form.add_error("parent", error)
        else:
            messages.success(request, _("«%(name)s» ذخیره شد.") % {"name": node})
            return redirect("trees:tree", slug=slug)
    title = model._meta.verbose_name_plural
    return render(
        request,
        "contacts/tree_node_form.html",
        {"slug": slug, "title": title, "form": form, "node": node},
    )
