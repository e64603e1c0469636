"""URLs of the generic operations API (under /api/v1/): plans."""

from django.urls import path

from operations.api import views

C = "clusters/<int:cluster_pk>"
urlpatterns = [
    path(f"{C}/plans/<str:plan_id>/", views.PlanView.as_view(), name="plan"),
    path(f"{C}/plans/<str:plan_id>/apply/", views.PlanApplyView.as_view(), name="plan-apply"),
]
