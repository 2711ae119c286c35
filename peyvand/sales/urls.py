from django.urls import path

from peyvand.sales import views

app_name = "sales"
urlpatterns = [
    path("leads/", views.lead_list, name="lead_list"),
    path("leads/board/", views.lead_board, name="lead_board"),
    path("leads/new/", views.lead_create, name="lead_create"),
    path("leads/<int:pk>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/edit/", views.lead_edit, name="lead_edit"),
    path("leads/<int:pk>/stage/", views.lead_stage, name="lead_stage"),
    path("leads/<int:pk>/close/", views.lead_close, name="lead_close"),
    path("leads/<int:pk>/reopen/", views.lead_reopen, name="lead_reopen"),
    path("leads/<int:pk>/delete/", views.lead_delete, name="lead_delete"),
    path("leads/<int:pk>/followups/", views.followup_create, name="followup_create"),
    path("followups/", views.followup_due, name="followup_due"),
    path("followups/<int:pk>/task/", views.followup_task, name="followup_task"),
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_edit, name="product_create"),
    path("products/<int:pk>/", views.product_edit, name="product_edit"),
    path("quotes/", views.quote_list, name="quote_list"),
    path("quotes/new/", views.quote_edit, name="quote_create"),
    path("quotes/<int:pk>/", views.quote_detail, name="quote_detail"),
    path("quotes/<int:pk>/edit/", views.quote_edit, name="quote_edit"),
    path("quotes/<int:pk>/status/", views.quote_status, name="quote_status"),
    path("quotes/<int:pk>/invoice/", views.quote_invoice, name="quote_invoice"),
    path("quotes/<int:pk>/pdf/", views.quote_pdf, name="quote_pdf"),
    path("quotes/<int:pk>/followups/", views.quote_followup_create, name="quote_followup_create"),
    path("quotes/<int:pk>/send/<str:channel>/", views.quote_send, name="quote_send"),
    path("shared/<str:token>/", views.quote_shared, name="quote_shared"),
    path("fiscal-years/", views.fiscal_years, name="fiscal_years"),
    path("invoices/", views.invoice_list, name="invoice_list"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
]
