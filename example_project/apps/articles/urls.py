"""Routes of the articles app."""

from rest_framework.routers import SimpleRouter

from apps.articles.views import ArticleViewSet

app_name = "articles"

router = SimpleRouter()
router.register("articles", ArticleViewSet, basename="article")

urlpatterns = router.urls
