from django.urls import path

from advocacy.accounts import views

app_name = "accounts"
urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("roster/", views.roster, name="roster"),
    path("roster/<int:pk>/", views.roster_import, name="roster_import"),
    path("roster/<int:pk>/errors.csv", views.roster_import_errors, name="roster_import_errors"),
]
