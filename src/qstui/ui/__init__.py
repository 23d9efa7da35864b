"""The base of the interface, below both ``screens/`` and ``widgets/``: what a screen, a
dialog and a widget share.

- ``localized``: translated key descriptions, and the Russian-layout twins of letter keys.
- ``keys``: the Russian-layout twins as Textual keymap entries (by binding id).
- ``service_calls``: service calls in worker threads (ARCHITECTURE rule 4).
- ``modules``: the modules of the main window (the registry the panel, the F-keys, the
  command palette and the rights check are built from).
- ``textual_private``: the one place that touches private Textual attributes, each checked
  by a test that fails when Textual changes it.

Nothing here imports ``screens/`` or ``widgets/`` (tests/unit/test_layers.py).
"""
