# 200 live processes at once from a busybox sh loop, found with ps and ended
# with kill. Each sleep is started by a subshell that ends at once, as a
# daemon is, so that init (the server) is its parent and reaps it: one task
# may create at most 64 tasks (the kernel's TASK_LIMIT_TASKS), so a shell's
# own children stop there (fork answers EAGAIN). Run by run.py under
# Manifold and on the host; the outputs must be the same.
count() {
	ps -o args | grep -c '^sleep 1000$'
}
# until count says $1, for 20 s at most
until_count() {
	i=0
	while [ $i -lt 200 ] && [ "$(count)" != $1 ]; do
		sleep 0.1; i=$((i + 1))
	done
}
i=0
while [ $i -lt 200 ]; do
	(sleep 1000 &)
	i=$((i + 1))
done
until_count 200
echo "sleeps running at once: $(count)"
ps -o pid,ppid,args | grep ' sleep 1000$' | while read pid ppid args; do
	[ "$ppid" = $$ ] && echo "pid $pid is this shell's child"
	kill $pid
done
until_count 0
echo "sleeps left after kill: $(count)"
