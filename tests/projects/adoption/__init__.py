"""An existing project adopting the library: its old settings, built in two orders.

``legacy`` holds what its ``settings.py`` defined before the library: DRF without the
token app or drf-spectacular, its own middleware and DRF keys, the old id field.
``settings`` calls ``build_settings`` last without ``merge``, which throws its own
settings away; ``merged`` passes ``merge=globals()`` and keeps them.
"""
