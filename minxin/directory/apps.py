import logging

from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_delete, post_save

logger = logging.getLogger(__name__)


class DirectoryConfig(AppConfig):
    name = "minxin.directory"
    label = "directory"
    verbose_name = "区划、单位与分类"

    def ready(self) -> None:
        from django.core.cache import cache

        from .models import Unit
        from .selectors import PASSING_DOWN_CACHED, PASSING_DOWN_KEY

        def bust() -> None:
            try:
                cache.delete(PASSING_DOWN_KEY)
            except Exception:  # a cache not reachable (or no cache table yet) never fails a save
                logger.warning("units-passing-down not cleared; stale for %ss", PASSING_DOWN_CACHED)

        def forget(**kwargs: object) -> None:
            # Cache busting only, after the unit's transaction commits: the tree is read again.
            transaction.on_commit(bust)

        post_save.connect(forget, sender=Unit, weak=False, dispatch_uid="units-passing-down")
        post_delete.connect(forget, sender=Unit, weak=False, dispatch_uid="units-passing-down-del")
