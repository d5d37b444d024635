# Kernel filesystems and the tmpfs areas; / stays read-only.
mount -a 2>/dev/null
mkdir -p /dev/pts /var/log /var/run /var/lock /run/pairha /mnt/usb
mount -t devpts -o gid=5,mode=620 devpts /dev/pts 2>/dev/null
chmod 0700 /run/pairha
