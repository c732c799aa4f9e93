from django.urls import path

from compliance.archive.web import views

app_name = "archive"
urlpatterns = [
    path("", views.search, name="search"),
    path("records/<int:seq>/", views.record_detail, name="record"),
    path("communications/<str:network_post_id>/", views.communication, name="communication"),
    path("exports/", views.exports, name="exports"),
    path("exports/<uuid:pk>/", views.export_status, name="export_status"),
    path("exports/<uuid:pk>/download/", views.export_download, name="export_download"),
    path("verifications/", views.verifications, name="verifications"),
    path("verifications/<int:pk>/", views.verification, name="verification"),
    path("legal-holds/", views.legal_holds, name="legal_holds"),
    path("legal-holds/<int:pk>/release/", views.release_legal_hold, name="release_legal_hold"),
]
