"""Admin registration of articles."""

from django.contrib import admin

from apps.articles.models import Article


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """List articles with their author."""

    list_display = ("title", "author", "created_at")
    list_select_related = ("author",)
    search_fields = ("title",)
