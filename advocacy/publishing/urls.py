from django.urls import path

from advocacy.publishing import views

app_name = "publishing"
urlpatterns = [
    path("connection/", views.connection, name="connection"),
    path("connection/disconnect/", views.disconnect, name="disconnect"),
    path("compliance/connections/", views.compliance_connections, name="compliance_connections"),
]
