"""Django's JSON serialisation without its one loss: DjangoJSONEncoder cuts times to the
millisecond (ECMA-262's format), so a backup restored from it would move every
timestamp by up to 999 µs — enough to reorder records made in the same millisecond.
Here datetimes and times keep their microseconds; everything else is Django's.

Registered as the ``exact-json`` format (settings.SERIALIZATION_MODULES); what it
writes is plain JSON that Django's own ``json`` deserialiser reads back exactly."""

import datetime

from django.core.serializers.json import Deserializer, DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer

__all__ = ["Deserializer", "Serializer"]


class ExactJSONEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class Serializer(JSONSerializer):
    def _init_options(self):
        self.options.setdefault("cls", ExactJSONEncoder)
        super()._init_options()
