"""New projects and apps in the strict layout, from templates shipped in this package.

``python -m django_strict_core startproject NAME [DIRECTORY]`` renders
``templates/project`` and locks it with uv; ``python -m django_strict_core startapp
NAME``, run in such a project, renders ``templates/app`` under ``apps/`` and registers
the app. Both use Django's own template mechanism
(:class:`~django.core.management.templates.TemplateCommand` and the Django template
language); :mod:`~django_strict_core.scaffold.templating` says how the files are named.
docs/start-a-project.md describes what they generate.
"""
