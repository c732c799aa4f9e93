from django.urls import path

from advocacy.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_new, name="new"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/progress/", views.campaign_progress, name="progress"),
    path("<int:pk>/launch/", views.campaign_launch, name="launch"),
    path("<int:pk>/resume/", views.campaign_resume, name="resume"),
    path("<int:pk>/cancel/", views.campaign_cancel, name="cancel"),
    path("<int:pk>/share/", views.campaign_share, name="share"),
    path("auto-share/", views.auto_share, name="auto_share"),
]
