# busybox sh in the unix suite: applets in pipelines, on data made on the
# spot (no files to read yet). Run by run.py under Manifold and on the host;
# the outputs must be the same.
seq 1 20 | grep 1 | tr '\n' ' '; echo
seq 1 10 | sed -n 's/^\(.\)$/<\1>/p' | tr -d '\n'; echo
printf 'a b c\nd e f\n' | awk '{ print $3 "-" $1; n += NF } END { print n }'
printf 'x:y:z\n1:2:3\n' | cut -d: -f2,3
echo "hello world" | tr a-z A-Z | rev
seq 1 5 | xargs echo args:
seq 1 6 | xargs -n 2 echo pair
printf 'b 2\na 3\nc 1\n' | sort -k2 -n
printf 'x\nx\ny\nz\nz\n' | uniq -d
seq 1 100 | tail -3 | head -2
seq 1 3 | tac
echo manifold | od -c | head -1
echo manifold | base64
echo bWFuaWZvbGQK | base64 -d
echo abc | sha256sum
echo abc | md5sum
printf 'one two three four five six seven\n' | fold -w 10
seq 3 | nl
seq 1 6 | paste -s -d ,
echo "3 4 * p" | dc
echo "2^20" | bc
factor 360
seq -w 8 11
expr 7 \* 6
test -n "x" && echo "test -n"
[ 2 -gt 1 ] && echo "[ works ]"
echo "a,b;c" | awk -F'[,;]' '{ print NF }'
seq 1 1000 | awk '{ s += $1 } END { print s }'
seq 1 1000 | sort -r | head -1
yes abc | head -1000 | uniq -c
echo "x" | sed 's/x/y/' | sed 's/y/z/' | sed 's/z/done/'
