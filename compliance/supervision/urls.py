from django.urls import path

from compliance.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("rates/", views.rates, name="rates"),
]
