from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "shixiao.proposals"
    verbose_name = _("Proposals")

    def ready(self):
        # Similarity tokenises with jieba; its dictionary cache belongs under var/, never in
        # the shared temporary directory (textsim knows nothing of Django settings).
        from shixiao.textsim import tokenize

        tokenize.configure(cache_dir=settings.CACHE_DIR / "jieba")
