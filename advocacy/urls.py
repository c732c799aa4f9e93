from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from advocacy.links import views as link_views
from advocacy.portal import views as portal_views

# The admin signs in through allauth, so MFA and rate limits apply there too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Relais"

urlpatterns = [
    # Tracked links first and not nested: the busiest public route resolves in one step.
    path("l/<str:code>", link_views.follow, name="link_follow"),
    path("", include("advocacy.portal.urls")),
    path("health/", portal_views.health, name="health"),
    path("i18n/setlang/", portal_views.switch_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("allauth.urls")),
    path("staff/", include("advocacy.accounts.urls")),
    path("organisation/", include("advocacy.org.urls")),
    path("library/", include("advocacy.content.urls")),
    path("library/", include("compliance.review.recall_urls")),  # the recall form of the item page
    path("shares/", include("advocacy.shares.urls")),
    path("shares/", include("advocacy.networks.x.urls")),  # the X connection pages, under the same prefix
    path("campaigns/", include("advocacy.campaigns.urls")),
    path("clients/", include("advocacy.clients.urls")),
    path("x/", include("advocacy.relationships.urls")),  # X pushes account activity here (signed)
    path("replies/", include("advocacy.replies.urls")),
    path("compliance/review/", include("compliance.review.urls")),
    path("compliance/archive/", include("compliance.archive.web.urls")),
    path("compliance/supervision/", include("compliance.supervision.urls")),
    path("results/", include("advocacy.dashboards.urls")),  # the dashboards (an adviser's results)
    path("recruitment/", include("advocacy.recruitment.urls")),  # ATS webhooks, HR's application import
    path("recognition/", include("advocacy.recognition.urls")),  # opt-in monthly recognition
    path("digest/", include("advocacy.digest.urls")),  # the weekly digest: opting in and out
    path("reach/", include("advocacy.reach.urls")),  # recruitment reach: HR, and managers' totals
    path("usage/", include("advocacy.networks.usage.urls")),  # X usage and spend (compliance, administrators)
    path("admin/", admin.site.urls),
]
