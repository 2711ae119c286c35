"""Writes and reads for TreeNode models (categories, regions): one implementation for
every tree."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Concat, Substr

from peyvand.core.models import TreeNode


@transaction.atomic
def node_create(*, node: TreeNode) -> TreeNode:
    node.save()
    parent_path = node.parent.path if node.parent_id else ""
    node.path = f"{parent_path}{node.pk}/"
    node.depth = node.parent.depth + 1 if node.parent_id else 0
    node.save(update_fields=["path", "depth"])
    return node


@transaction.atomic
def node_update(*, node: TreeNode) -> TreeNode:
    """Saves a rename, a reorder, (de)activation or a move to another parent."""
    model = type(node)
    stored = model.objects.select_for_update().get(pk=node.pk)
    node.save(update_fields=["name", "order", "is_active", "parent"])
    if stored.parent_id == node.parent_id:
        return node
    new_parent = model.objects.get(pk=node.parent_id) if node.parent_id else None
    if new_parent is not None and new_parent.path.startswith(stored.path):
        raise ValidationError("نمی‌توان یک شاخه را زیرمجموعهٔ خودش یا شاخه‌های زیرینش کرد.")
    new_path = f"{new_parent.path if new_parent else ''}{node.pk}/"
    depth_change = (new_parent.depth + 1 if new_parent else 0) - stored.depth
    # One UPDATE moves the node and all its descendants.
    model.objects.filter(path__startswith=stored.path).update(
        path=Concat(Value(new_path), Substr("path", len(stored.path) + 1)),
        depth=F("depth") + depth_change,
    )
    node.refresh_from_db(fields=["path", "depth"])
    return node


def subtree(model: type[TreeNode], node_id: int | None) -> QuerySet:
    """The node and everything under it (empty when the node does not exist)."""
    node = model.objects.filter(pk=node_id).only("path").first()
    if node is None:
        return model.objects.none()
    return model.objects.filter(path__startswith=node.path)


def ordered_nodes(model: type[TreeNode]) -> list[TreeNode]:
    """All nodes depth-first, siblings by (order, name): one query, sorted here."""
    children: dict[int | None, list[TreeNode]] = {}
    for node in model.objects.all():
        children.setdefault(node.parent_id, []).append(node)
    result: list[TreeNode] = []

    def walk(parent_id: int | None) -> None:
        for node in sorted(children.get(parent_id, []), key=lambda n: (n.order, n.name)):
            result.append(node)
            walk(node.pk)

    walk(None)
    return result
