"""The instructor's side of the course: nbgrader plug-ins and commands, run from the repository root.

- ``sandbox``: every autograde kernel runs under bubblewrap and prlimit (``SandboxedKernelManager``).
- ``grading``: nbgrader's autograde hardened: output caps, a dying kernel survived, reasons in the gradebook,
  submissions' nbgrader metadata made safe before nbgrader's own checks (``RepairSubmission``).
- ``preflight``: before the first student, the source notebook is graded the same way and must earn full marks.
- ``submissions``: ``python -m course_tools.submissions <lesson> [--repair]``, the check before grading.
- ``lms``: ``nbgrader zip_collect`` of Moodle and Canvas downloads.
- ``autograde_all``: ``python -m course_tools.autograde_all <lesson> --workers N``, a class in parallel.
- ``localpg``: a throwaway PostgreSQL server for the tests and the benchmark.
- ``colab``: the release step stamps an "Open in Colab" badge and a Colab-only install cell into every notebook.
- ``translate``: ``python -m course_tools.translate check|build ru``, the Russian edition.

Students never need this package; ``mini_autograd`` is all the lessons import. docs/instructor-guide.md tells the
whole story.
"""
