# The system logger the runtime's syslog sink writes to (/dev/log).
syslogd -O /var/log/messages
klogd
