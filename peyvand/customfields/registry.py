"""Which record types carry custom fields. A domain app registers its model in its
AppConfig.ready(); the model needs a ``custom`` JSONField (see customfields.models)."""

targets: dict[str, str] = {}  # model label ("contacts.contact") -> Persian title


def register_target(label: str, title: str) -> None:
    targets[label] = title
