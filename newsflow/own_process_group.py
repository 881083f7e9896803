"""Imported by multiprocessing's fork server as it starts (a preload module, newsflow/processes.py): the
fork server, and every NER worker it forks, leave the run's process group.

A Ctrl-C at a terminal is sent to the whole foreground process group. The run's process decides what it
means (newsflow/interrupts.py) and prints one line; a worker or the fork server that got it too could
print a traceback above that line, whatever it was doing at that moment (being forked, unpickling its
work, importing). Out of the group, they never get it. They still end with the run (newsflow/children.py),
and stay in its session, where `kill -- -SID` or a terminal's hang-up reaches them.

Importing this module is its whole work: it runs in the fork server only.
"""

import os

os.setpgid(0, 0)
