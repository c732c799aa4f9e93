from django.urls import path

from compliance.review import views

app_name = "review"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("versions/<int:pk>/", views.review, name="review"),
    path("versions/<int:pk>/decide/", views.decide, name="decide"),
    path("packs/", views.packs, name="packs"),
    path("packs/<int:pk>/", views.pack, name="pack"),
    path("packs/<int:pk>/rules/<int:rule_pk>/", views.rule_edit, name="rule_edit"),
    path("packs/<int:pk>/rules/<int:rule_pk>/deactivate/", views.rule_deactivate, name="rule_deactivate"),
    path("try/", views.try_text, name="try_text"),
    path("try/check/", views.try_text_check, name="try_text_check"),
]
