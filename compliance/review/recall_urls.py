"""The recall route, mounted under ``/library/`` beside the item page it belongs to (the path compliance
officers already know), though a recall is the review app's act (``recall.recall_content``)."""

from django.urls import path

from compliance.review import views

app_name = "recall"
urlpatterns = [
    path("items/<int:pk>/recall/", views.recall, name="item"),
]
