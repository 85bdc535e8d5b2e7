# /proc/self, /proc/<pid>/fd, environ and maps as the tools see them, in
# words that do not depend on pids or inode numbers. Run by run.py under
# Manifold and on the host; the outputs must be the same.
test -L /proc/self && echo "/proc/self is a link"
test -d /proc/self/ && echo "and it leads to a folder"
echo "the shell's descriptors 0 to 2:" $(ls /proc/$$/fd | grep -x '[0-2]')
echo x | readlink /proc/self/fd/0 | sed 's/[0-9]//g'
readlink /proc/self/fd/0 < /dev/null
ls -l /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2 < /dev/null 2> /dev/null | awk '{print $1, $NF}' |
	sed 's/[0-9]//g'
cat /proc/self/environ | tr '\0' '\n' | sort
echo "stack lines in maps: $(grep -c '\[stack\]' /proc/self/maps)"
awk '$1 !~ /^[0-9a-f]+-[0-9a-f]+$/ || $2 !~ /^[r-][w-][x-][ps]$/ || $3 !~ /^[0-9a-f]+$/ ||
     $4 !~ /^[0-9a-f]+:[0-9a-f]+$/ || $5 !~ /^[0-9]+$/ { bad++ }
     END { print "maps lines not in Linux layout:", bad + 0 }' /proc/self/maps
