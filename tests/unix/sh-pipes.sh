# busybox sh in the unix suite: pipes, fork and exec, redirections to the
# console, subshells, $?, here-documents, functions. Run by run.py under
# Manifold and on the host; the outputs must be the same.
echo "one: a builtin"
seq 1 5 | tr '\n' ' '; echo
seq 1 200 | sort -rn | head -3
echo "abc def ghi" | wc -w
printf 'b\na\nc\nb\n' | sort | uniq -c
false; echo "false gave $?"
true; echo "true gave $?"
(exit 7); echo "a subshell's exit gave $?"
x=$(echo inner; echo two); echo "command substitution: $x"
echo "to stderr" >&2
echo "both" 2>&1 | cat
{ echo grouped; echo lines; } | tr a-z A-Z
cat <<END
a here-document with $((6 * 7))
END
f() { echo "function $1"; return 3; }
f arg; echo "it returned $?"
for i in 1 2 3; do echo "loop $i"; done | tac
n=0; while [ $n -lt 3 ]; do n=$((n + 1)); done; echo "while: $n"
echo hello | (read w; echo "read got $w")
exec 3>&1; echo "through fd 3" >&3; exec 3>&-
echo nothing > /dev/null; echo "to /dev/null and back: $?"
cat /dev/null | wc -c
seq 1 3000 | md5sum
yes | head -c 70000 | wc -c
/bin/echo "an applet by its path"
ls /no/such/thing 2>/dev/null; echo "ls of nothing gave $?"
nosuchcommand 2>/dev/null; echo "a missing command gave $?"
sh -c 'exit 5'; echo "sh -c gave $?"
case abc in a*) echo "case matched";; esac
echo done
