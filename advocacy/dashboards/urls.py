from django.urls import path

from advocacy.dashboards import campaign_views, compliance_views, team_views, views

app_name = "dashboards"

urlpatterns = [
    path("me/", views.my_results, name="my_results"),
    path("me/daily.csv", views.my_results_csv, name="my_results_csv"),
    path("team/", team_views.team, name="team"),
    path("team/advisers.csv", team_views.team_csv, name="team_csv"),
    path("team/<int:user_id>/", team_views.team_adviser, name="team_adviser"),
    path("team/<int:user_id>/daily.csv", team_views.team_adviser_csv, name="team_adviser_csv"),
    path("campaigns/", campaign_views.campaigns, name="campaigns"),
    path("campaigns/campaigns.csv", campaign_views.campaigns_csv, name="campaigns_csv"),
    path("campaigns/<int:pk>/", campaign_views.campaign, name="campaign"),
    path("campaigns/<int:pk>/breakdown.csv", campaign_views.campaign_csv, name="campaign_csv"),
    path("compliance/", compliance_views.compliance, name="compliance"),
    path("compliance/figures.csv", compliance_views.compliance_csv, name="compliance_csv"),
]
