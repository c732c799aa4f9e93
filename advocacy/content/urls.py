from django.urls import path

from advocacy.content import views

app_name = "content"
urlpatterns = [
    path("", views.library, name="library"),
    path("new/", views.new, name="new"),
    path("count/", views.count, name="count"),
    path("drafts/", views.my_drafts, name="my_drafts"),
    path("drafts/new/", views.draft_new, name="draft_new"),
    path("drafts/<int:pk>/", views.draft_edit, name="draft_edit"),
    path("items/", views.authoring, name="authoring"),
    path("items/new/", views.item_new, name="item_new"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/submit/", views.item_submit, name="item_submit"),
]
