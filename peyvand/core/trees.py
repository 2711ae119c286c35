"""Writes and reads for TreeNode models (categories, regions): one implementation for
every tree."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Subquery, Value
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


def subtree_ids(model: type[TreeNode], node_id: int | None) -> list[int]:
    """Ids of the node and everything under it (none when the node does not exist), in
    one query. Callers filter by the ids themselves rather than by a subquery: with the
    few ids in the SQL, PostgreSQL filters contacts while scanning them instead of after
    joining every candidate row (a rep's province filter at a million contacts: 19 → 9 ms)."""
    path = model.objects.filter(pk=node_id).values("path")[:1]
    return list(model.objects.filter(path__startswith=Subquery(path)).values_list("pk", flat=True))


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
