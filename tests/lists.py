"""What the tests of the lists (core.lists) share."""

from django.http import QueryDict


def query(**params) -> QueryDict:
    """A list's query string, as a request's GET: a list gives a parameter several
    values (a multiple choice, ticked ids)."""
    data = QueryDict(mutable=True)
    for name, value in params.items():
        if isinstance(value, list):
            data.setlist(name, [str(one) for one in value])
        else:
            data[name] = str(value)
    return data
