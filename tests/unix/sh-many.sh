# 200 live processes at once from a busybox sh loop of background sleeps,
# found with ps, killed and waited for. Run by run.py under Manifold and on
# the host; the outputs must be the same. (One process may have this many
# children because the server's module line says tasks=1024: a fork is a task
# made from the parent's task, which the kernel otherwise lets make 64.)
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
	sleep 1000 &
	i=$((i + 1))
done
until_count 200
echo "sleeps running at once: $(count)"
echo "of them this shell's children: $(ps -o ppid,args | grep -c "^ *$$ sleep 1000\$")"
ps -o pid,args | grep ' sleep 1000$' | while read pid args; do
	kill $pid
done
wait
echo "sleeps left after kill and wait: $(count)"
