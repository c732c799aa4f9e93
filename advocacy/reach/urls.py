from django.urls import path

from advocacy.reach import views

app_name = "reach"

urlpatterns = [
    path("", views.offers, name="offers"),
    path("offers.csv", views.offers_csv, name="offers_csv"),
    path("<int:pk>/", views.offer, name="offer"),
    path("<int:pk>/<slug:table>.csv", views.offer_csv, name="offer_csv"),
]
