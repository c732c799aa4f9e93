"""Mounted under ``/shares/`` beside the share pages (the paths advisers and compliance already know)."""

from django.urls import path

from advocacy.networks.x import views

app_name = "xnetwork"
urlpatterns = [
    path("connection/", views.connection, name="connection"),
    path("connection/disconnect/", views.disconnect, name="disconnect"),
    path("compliance/connections/", views.compliance_connections, name="compliance_connections"),
]
