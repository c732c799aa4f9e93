from django.urls import path

from advocacy.publishing import views

app_name = "publishing"
urlpatterns = [
    path("", views.my_shares, name="my_shares"),
    path("item/<int:item_id>/", views.share, name="share"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/reschedule/", views.reschedule, name="reschedule"),
    path("connection/", views.connection, name="connection"),
    path("connection/disconnect/", views.disconnect, name="disconnect"),
    path("compliance/connections/", views.compliance_connections, name="compliance_connections"),
    path("compliance/recalls/", views.compliance_recalls, name="compliance_recalls"),
]
