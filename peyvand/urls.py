from django.urls import include, path

from peyvand.automation import views as automation_views

urlpatterns = [
    path("", include("peyvand.core.urls")),
    path("accounts/", include("peyvand.accounts.urls")),
    path("settings/lookups/", include("peyvand.lookups.urls")),
    path("settings/custom-fields/", include("peyvand.customfields.urls")),
    path("contacts/", include("peyvand.contacts.urls")),
    path("messages/", include("peyvand.messaging.urls")),
    path("sales/", include("peyvand.sales.urls")),
    path("finance/", include("peyvand.finance.urls")),
    path("", include("peyvand.tax.urls")),
    path("service/", include("peyvand.service.urls")),
    path("reports/", include("peyvand.reports.urls")),
    path("surveys/", include("peyvand.surveys.urls")),
    path("automation/", include("peyvand.automation.urls")),
    # A designed form's public page: short, for a link in an SMS or on a card.
    path("f/<str:key>/", automation_views.form_public, name="form_public"),
    path("portal/", include("peyvand.portal.urls")),
    path("", include("peyvand.activities.urls")),
    path("phonebook/", include("peyvand.contacts.phonebook_urls")),
    path("settings/trees/", include("peyvand.contacts.tree_urls")),
    path("api/v1/", include("peyvand.api.urls")),
]

# A Persian 400 (above all for a form body past the upload limit) instead of Django's
# bare English one; the API gets JSON.
handler400 = "peyvand.core.views.bad_request"
handler500 = "peyvand.core.views.server_error"
