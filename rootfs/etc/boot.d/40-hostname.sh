# The server name: /config/etc/hostname (imported or set), else the factory default.
if [ -s /config/etc/hostname ]; then hostname -F /config/etc/hostname; else hostname -F /etc/hostname; fi
