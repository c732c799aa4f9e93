from django.urls import path

from advocacy.networks.usage import views

app_name = "usage"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("endpoints.csv", views.endpoints_csv, name="endpoints_csv"),
    path("months.csv", views.months_csv, name="months_csv"),
    path("calls.csv", views.calls_csv, name="calls_csv"),
]
