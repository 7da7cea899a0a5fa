"""The instructor's side of the course: nbgrader plug-ins and commands run from the repository root.

- ``colab``: the release step stamps an "Open in Colab" badge and a Colab-only install cell into every notebook.
- ``translate``: assembles the Russian edition from the English sources and one translation file per lesson.

Students never need this package; ``mini_autograd`` is all the lessons import.
"""
