from django.urls import path

from advocacy.recruitment import views

app_name = "recruitment"

urlpatterns = [
    path("ats/<slug:slug>/webhook/", views.ats_webhook, name="ats_webhook"),
    path("applications/upload/", views.upload, name="upload"),
]
