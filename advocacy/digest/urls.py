from django.urls import path

from advocacy.digest import views

app_name = "digest"

urlpatterns = [
    path("", views.preferences, name="preferences"),
    path("stop/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
