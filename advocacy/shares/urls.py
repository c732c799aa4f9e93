from django.urls import path

from advocacy.shares import views

app_name = "shares"
urlpatterns = [
    path("", views.my_shares, name="my_shares"),
    path("item/<int:item_id>/", views.share, name="share"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/reschedule/", views.reschedule, name="reschedule"),
    path("compliance/recalls/", views.compliance_recalls, name="compliance_recalls"),
]
