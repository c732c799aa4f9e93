from django.urls import path

from advocacy.relationships import views

app_name = "relationships"

urlpatterns = [
    path("webhook", views.x_webhook, name="x_webhook"),
    path("relationships/", views.timeline, name="timeline"),
]
