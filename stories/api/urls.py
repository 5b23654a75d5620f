from django.urls import include, path
from rest_framework.routers import DefaultRouter

from stories.api import views

router = DefaultRouter()
router.register("stories", views.StoryViewSet, basename="story")
router.register("drives", views.DriveViewSet, basename="drive")
router.register("themes", views.ThemeViewSet, basename="theme")

urlpatterns = [
    path("receipts/<str:receipt>/", views.ReceiptView.as_view(), name="receipt"),
    path("withdrawals/", views.WithdrawalView.as_view(), name="withdrawal"),
    path("health/", views.HealthView.as_view(), name="health"),
    path("", include("stories.api.public_urls")),
    *router.urls,
]
