from django.urls import path

from advocacy.accounts import views

app_name = "accounts"
urlpatterns = [
    path("roster/", views.roster, name="roster"),
]
