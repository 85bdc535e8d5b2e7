# the view's folders listed (getdents64): the guest's only, as the host has its own
ls -1 /
ls -1 /dev /proc/self
ls /bin | grep -x -e sh -e wc -e zcat
cd /usr/bin && pwd && ls -d ../sbin
cd /bin && ./echo a relative path && cd .. && bin/echo and another
