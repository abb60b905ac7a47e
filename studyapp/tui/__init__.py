"""The Textual user interface: the only package of studyapp that imports Textual.

``studyapp`` without a command calls :func:`studyapp.tui.app.run_app`. The screens live in
``screens/``, reusable widgets in ``widgets/``, the one stylesheet is ``studyapp.tcss``.
Every blocking call (the database, the bank sync, demos, code snippets) runs in a thread
worker that posts a typed message back; the UI thread only draws and reacts to keys.
"""
