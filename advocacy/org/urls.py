from django.urls import path

from advocacy.org import views

app_name = "org"
urlpatterns = [
    path("staff/", views.staff_list, name="staff"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/activation/", views.staff_activation, name="staff_activation"),
    path("staff/<int:pk>/email/", views.staff_request_email, name="staff_request_email"),
    path("staff/<int:pk>/grant/", views.staff_request_grant, name="staff_request_grant"),
    path("staff/<int:pk>/revoke/", views.staff_revoke, name="staff_revoke"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/grants/<int:pk>/", views.decide_grant, name="decide_grant"),
    path("approvals/addresses/<int:pk>/", views.decide_email_change, name="decide_email_change"),
    path("branches/", views.branches, name="branches"),
    path("branches/<int:pk>/", views.branch_edit, name="branch_edit"),
]
