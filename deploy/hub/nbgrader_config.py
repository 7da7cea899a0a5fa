"""nbgrader's global configuration on the course's JupyterHub: install as /etc/jupyter/nbgrader_config.py (or point
JUPYTER_CONFIG_PATH at this folder, as deploy/hub/jupyterhub_config.py does). Every user's nbgrader reads it: students
fetch from and submit to the course's exchange; the grader's formgrader collects from it.

The course directory, the sandbox and the gradebook URL stay in the repository's own nbgrader_config.py, read by the
grader's formgrader from its working directory (the grader's clone).
"""

import os
import sys

from nbgrader.auth import JupyterHubAuthPlugin

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hub_exchange import OwnerCheckedCollect  # noqa: E402

# The exchange: one folder every user's server sees, created by root with `mkdir -m 777` (nbgrader makes the course's
# inbound folder write-only for students, so nobody lists other people's submissions).
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
c.Exchange.path_includes_course = True
# Students' courses come from their hub groups (nbgrader-<course>, formgrade-<course>).
c.Authenticator.plugin_class = JupyterHubAuthPlugin
c.CourseDirectory.course_id = os.environ.get("BACKPROP_COURSE_ID", "backprop")
# nbgrader's collect only warns when a submission named for one student belongs to another account's files
# (`nbgrader submit --student someone-else`); this one skips such a submission.
c.ExchangeFactory.collect = OwnerCheckedCollect
