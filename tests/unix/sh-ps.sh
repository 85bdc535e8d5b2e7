# busybox ps and /proc/<pid> beside the processes this script started: their
# pids, parents, states, names and arguments. Run by run.py under Manifold and
# on the host; the outputs must be the same.
sleep 101 & a=$!
sleep 102 & b=$!
# until both have exec'd (before, ps would show them as sh)
i=0
while [ $i -lt 100 ] && [ "$(ps -o args | grep -c '^sleep 10[12]$')" != 2 ]; do
	sleep 0.05; i=$((i + 1))
done
show() {
	ps -o pid,ppid,pgid,stat,args | while read pid ppid pgid stat args; do
		case $pid in
		$a) who=first;;
		$b) who=second;;
		*) continue;;
		esac
		[ "$ppid" = $$ ] && ppid=this-shell
		[ "$pgid" = "$(cut -d' ' -f5 /proc/$$/stat)" ] && pgid=this-shells
		echo "$1: $who: parent $ppid, group $pgid, state $stat, args $args"
	done
}
show "ps"
ps | grep -c ' sleep 101$'
# (ls /proc 2>/dev/null: a process of the host that ends between the listing and its stat
# makes busybox ls say so, where nothing here is wrong)
echo "/proc lists them: $(ls /proc 2>/dev/null | grep -cx -e $a -e $b)"
echo "cmdline: $(tr '\0' '|' < /proc/$a/cmdline)"
grep -E '^(Name|State|Threads|Uid):' /proc/$b/status
echo "status: Pid and PPid: $(grep -E '^P?Pid:' /proc/$b/status | tr '\t\n' '  ' | sed "s/$b/B/; s/$$/SH/")"
echo "stat: $(cut -d' ' -f1-4 /proc/$a/stat | sed "s/^$a /A /; s/ $$\$/ SH/")"
echo "self: $(cut -d' ' -f2 /proc/self/stat) $(tr '\0' ' ' < /proc/self/cmdline)"
kill -STOP $b
# until ps says it stopped: a loaded host may take a while to run the stop
i=0
while [ $i -lt 100 ] && [ "$(ps -o pid,stat | grep -c "^ *$b T")" != 1 ]; do
	sleep 0.05; i=$((i + 1))
done
show "stopped"
kill -CONT $b
kill $a $b
wait
echo "after wait: $(ps -o pid | grep -cx -e " *$a" -e " *$b") listed, $(ls /proc 2>/dev/null | grep -cx -e $a -e $b) in /proc"
cat /proc/$a/stat 2>/dev/null || echo "no /proc/$a/stat once reaped" | sed "s/$a/A/"
echo "system files: $(wc -w < /proc/uptime) $(wc -w < /proc/loadavg) $(head -1 /proc/stat | cut -d' ' -f1) $(grep -c -e '^MemTotal:' -e '^MemFree:' /proc/meminfo)"
