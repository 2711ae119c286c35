from django.urls import path

from peyvand.finance import views

app_name = "finance"
urlpatterns = [
    path("accounts/<int:pk>/", views.account, name="account"),
    path("accounts/<int:pk>/opening/", views.opening_balance, name="opening_balance"),
    path("receipts/", views.receipt_list, name="receipt_list"),
    path("receipts/new/<str:direction>/", views.receipt_create, name="receipt_create"),
    path("receipts/<int:pk>/", views.receipt_detail, name="receipt_detail"),
    path("receipts/<int:pk>/delete/", views.receipt_delete, name="receipt_delete"),
    path("receipts/<int:pk>/allocate/", views.receipt_allocate, name="receipt_allocate"),
    path("cheques/", views.cheque_list, name="cheque_list"),
    path("cheques/<int:pk>/", views.cheque_detail, name="cheque_detail"),
    path("settings/", views.finance_settings, name="settings"),
    path("settings/bank-accounts/new/", views.bank_account_edit, name="bank_account_create"),
    path("settings/bank-accounts/<int:pk>/", views.bank_account_edit, name="bank_account_edit"),
]
urlpatterns += [
    path("accounts/<int:pk>/statement.pdf", views.statement_pdf, name="statement_pdf"),
    path("accounts/<int:pk>/statement.xlsx", views.statement_xlsx, name="statement_xlsx"),
    path("accounts/<int:pk>/statement/<str:channel>/", views.statement_send, name="statement_send"),
    path("statements/<str:token>/", views.statement_shared, name="statement_shared"),
    path("invoices/<int:pk>/pay-link/<str:channel>/", views.pay_link_send, name="pay_link_send"),
    path("pay/return/", views.pay_callback, name="pay_callback"),
    path("pay/<str:token>/", views.pay, name="pay"),
]
