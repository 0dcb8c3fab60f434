#!/bin/sh
# a systemctl for the ASD manager: units started are files in $OVS_EMULATOR_ROOT/active
A="$OVS_EMULATOR_ROOT/active"
mkdir -p "$A"
case "$1" in
  start|restart) touch "$A/$2";;
  disable) rm -f "$A/$3";;
  is-active) shift; code=3  # a line per unit; 0 when one is active
             for u in "$@"; do
               if [ -e "$A/$u" ]; then echo active; code=0; else echo inactive; fi; done; exit $code;;
  show) if [ -e "$OVS_EMULATOR_ROOT/lib/systemd/system/$3.service" ]; then echo LoadState=loaded;
        else echo LoadState=not-found; fi;;
  list-units) for f in "$A"/*; do
                [ -e "$f" ] && echo "$(basename "$f").service loaded active running x"; done;;
esac
exit 0
