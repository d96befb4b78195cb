"""The visual demo, for ``solara run app.py`` (``migdev serve`` runs the same page).

The page itself is ``migdev/demo.py``, installed with the package as ``migdev.demo``.
"""

from migdev.demo import page  # noqa: F401  (solara serves the module's `page`)
