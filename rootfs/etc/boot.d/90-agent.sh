# The virtual pair's command port (pairha pair run): only when the kernel argument
# pairha.agent=NAME names a virtio serial port, which no real board has.
name=$(cmdline_arg pairha.agent)
if [ -n "$name" ]; then
  /opt/pairha/lib/sh/agent.sh "$name" </dev/null >/dev/null 2>&1 &
fi
