from django.urls import path

from advocacy.publishing import link_views

app_name = "links"
urlpatterns = [
    path("<str:code>", link_views.follow, name="follow"),
]
