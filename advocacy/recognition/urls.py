from django.urls import path

from advocacy.recognition import views

app_name = "recognition"

urlpatterns = [path("", views.recognition, name="page")]
