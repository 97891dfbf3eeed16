from django.views.generic import DetailView

from articles import embeds

from .models import Page


class PageView(DetailView):
    model = Page
    context_object_name = "page"

    def render_to_response(self, context, **response_kwargs):
        # A page's text is shown through the same renderer as articles: its embeds need their frame host too.
        return embeds.allow_frames(super().render_to_response(context, **response_kwargs), self.object.body)
