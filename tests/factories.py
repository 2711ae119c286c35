import factory
from django.contrib.auth.models import Group

from peyvand.accounts.models import Team, User
from peyvand.contacts.models import Contact
from peyvand.contacts.services import contact_phones_set
from peyvand.core.text import to_persian_digits
from peyvand.lookups.models import FollowUpResult
from peyvand.sales.models import FollowUp, Lead


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "کاربر"
    # A name as people write it, digits Persian: tests find it on pages as it is (a
    # stored Latin digit would show in Persian, core.digits).
    last_name = factory.Sequence(lambda n: f"شماره {to_persian_digits(str(n))}")
    password = factory.django.Password("peyvand-demo")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"گروه {to_persian_digits(str(n))}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"T{n:05d}")
    # Three digits at least: a one- or two-digit word would be found by a short query
    # (core.text.fa_short_words), and a test of «۱۲» by whichever contact is the 12th.
    name = factory.Sequence(lambda n: f"مخاطب آزمایشی {to_persian_digits(f'{n:03d}')}")
    owner = factory.SubFactory(UserFactory)

    @factory.post_generation
    def phones(self, create, extracted, **kwargs):
        """ContactFactory(phones=["+989123456789", ("landline", "+982188776655")])."""
        if not create or not extracted:
            return
        rows = [
            {"kind": item[0], "number": item[1], "note": ""}
            if isinstance(item, tuple)
            else {"kind": "mobile", "number": item, "note": ""}
            for item in extracted
        ]
        contact_phones_set(contact=self, phones=rows)
        self.save(update_fields=["mobile", "phones_text"])


class LeadFactory(factory.django.DjangoModelFactory):
    """A lead as the services leave it: its owner is responsible for it."""

    class Meta:
        model = Lead

    code = factory.Sequence(lambda n: f"L{n:05d}")
    title = factory.Sequence(lambda n: f"سرنخ آزمایشی {to_persian_digits(f'{n:03d}')}")
    owner = factory.SubFactory(UserFactory)
    responsible = factory.SelfAttribute("owner")
    contact = factory.SubFactory(ContactFactory, owner=factory.SelfAttribute("..owner"))


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    lead = factory.SubFactory(LeadFactory)
    owner = factory.SelfAttribute("lead.owner")
    result = factory.LazyFunction(lambda: FollowUpResult.objects.order_by("priority").first())
    description = "تماس گرفته شد."
