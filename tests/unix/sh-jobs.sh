# busybox sh in the unix suite: background jobs and wait, traps and
# signals (kill -TERM, kill -INT, SIGCHLD through wait). Run by run.py
# under Manifold and on the host; the outputs must be the same.
sleep 0.2 & pid=$!
echo "a background job"
wait $pid; echo "wait gave $?"
(exit 9) & wait $!; echo "wait for a subshell gave $?"
trap 'echo "TERM trapped"' TERM
kill -TERM $$
echo "after kill -TERM of myself"
trap - TERM
sh -c 'kill -TERM $$; echo not here'; echo "sh killed by TERM gave $?"
sh -c 'kill -INT $$; echo not here'; echo "sh killed by INT gave $?"
sh -c 'trap "echo INT in the child" INT; kill -INT $$; echo the child goes on'
# whether sh says "Terminated" depends on when it sees the child go: not compared
sleep 5 & p=$!; kill $p; wait $p 2>/dev/null; echo "a killed sleep gave $?"
sleep 5 & p=$!; kill -STOP $p; kill -CONT $p; kill -KILL $p; wait $p 2>/dev/null; echo "stopped, continued, killed: $?"
trap 'echo got USR1' USR1
(sleep 0.1; kill -USR1 $$) &
wait
echo "jobs done"
for i in 1 2 3; do (sleep 0.0$i; exit $i) & done; wait; echo "three jobs waited for"
sh -c 'trap "echo USR1 cut the loop; exit 7" USR1; (sleep 0.1; kill -USR1 $$) & while :; do :; done'
echo "a busy sh gave $?"
trap 'echo the EXIT trap' EXIT
echo last
