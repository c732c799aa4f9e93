from django.urls import path

from advocacy.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("me/", views.my_results, name="my_results"),
    path("me/daily.csv", views.my_results_csv, name="my_results_csv"),
]
