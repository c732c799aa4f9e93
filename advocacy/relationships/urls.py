from django.urls import path

from advocacy.relationships import pages, views

app_name = "relationships"

urlpatterns = [
    path("webhook", views.x_webhook, name="x_webhook"),
    path("relationships/", views.timeline, name="timeline"),
    path("relationships/signals/", pages.inbox, name="inbox"),
    path("relationships/signals/<int:pk>/read/", pages.signal_read, name="signal_read"),
    path("relationships/signals/read/", pages.signals_all_read, name="signals_all_read"),
    path("relationships/prospects/", pages.prospects, name="prospects"),
    path("relationships/team/", pages.team_list, name="team"),
    path("relationships/team/<int:user_id>/", pages.team_adviser, name="team_adviser"),
    path("relationships/capture-gaps/", pages.capture_gaps, name="capture_gaps"),
]
