"""Routes of the error envelope's test views (included under ``api/errors/``)."""

from django.urls import path

from tests.apps.errors import plain, views

urlpatterns = [
    path("fail/<str:kind>/", views.FailView.as_view()),
    path("backend/<str:kind>/<str:alias>/", views.BackendView.as_view()),
    path("orders/", views.OrderView.as_view()),
    path("items/bulk/", views.BulkItemView.as_view()),
    path("widgets/", views.WidgetListView.as_view()),
    path("paged/", views.PagedWidgetView.as_view()),
    path("widgets/<int:pk>/", views.WidgetDetailView.as_view()),
    path("token/", views.TokenProtectedView.as_view()),
    path("session/", views.SessionProtectedView.as_view()),
    path("throttled/", views.ThrottledView.as_view()),
    path("raise/", views.RaiseView.as_view()),
    path("default-handler/", views.DefaultHandlerView.as_view()),
    path("upload/", views.UploadView.as_view()),
    path("signed-out/", views.SignedOutView.as_view()),
    path("plain/fail/<str:kind>/", plain.fail),
    path("plain/submit/", plain.submit),
    path("plain/backend/<str:kind>/<str:alias>/", plain.backend),
    path("plain/remember/", plain.remember),
]
