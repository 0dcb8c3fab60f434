#!/bin/sh
# a systemctl for the ASD manager: units started are files in $OVS_EMULATOR_ROOT/active
A="$OVS_EMULATOR_ROOT/active"
mkdir -p "$A"
case "$1" in
  start|restart) touch "$A/$2";;
  disable) rm -f "$A/$3";;
  is-active) if [ -e "$A/$2" ]; then echo active; exit 0; fi; echo inactive; exit 3;;
  show) if [ -e "$OVS_EMULATOR_ROOT/lib/systemd/system/$3.service" ]; then echo LoadState=loaded;
        else echo LoadState=not-found; fi;;
  list-units) for f in "$A"/*; do
                [ -e "$f" ] && echo "$(basename "$f").service loaded active running x"; done;;
esac
exit 0
