from django.urls import path

from advocacy.replies import views

app_name = "replies"

urlpatterns = [
    path("answer/<int:interaction_id>/", views.new_reply, name="new"),
    path("count/", views.count, name="count"),
    path("<int:pk>/", views.detail, name="detail"),
]
