from django.urls import path

from advocacy.clients import views

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("scope/", views.scope_list, name="scope"),
    path("new/", views.client_add, name="add"),
    path("<int:pk>/edit/", views.client_edit, name="edit"),
    path("<int:pk>/consent/", views.client_consent, name="consent"),
    path("<int:pk>/withdraw/", views.client_withdraw, name="withdraw"),
    path("<int:pk>/delete/", views.client_delete, name="delete"),
    path("<int:pk>/erase/", views.client_erase, name="erase"),
    path("<int:pk>/timeline/", views.client_timeline, name="timeline"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import"),
    path("imports/<int:pk>/errors.csv", views.import_errors, name="import_errors"),
]
