#!/bin/proc echoargs
# a script for the unix suite: execve runs its interpreter, /bin/proc, with
# the argument above, this path and the arguments it was given
