from django.urls import path

from advocacy.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("status/", views.status, name="status"),
]
