"""A small generic long-running service: listens on its TCP ports and, for the watchers,
keeps the local Arakoon client file in line with the one in the configuration store.

``python3 -m ovs_emulator.daemon --name <service> [--listen PORT ...] [--sync-cacc]``
"""
import argparse
import signal
import socket
import sys
import threading
import time

from ovs_emulator import paths, served, store, system

SYNC_INTERVAL = 5


def _serve(port):
    server = socket.create_server(("0.0.0.0", port))
    while True:
        connection, _ = server.accept()
        connection.close()


def sync_cacc():
    """Refresh the local arakoon_cacc.ini from /ovs/arakoon/config/config; True if changed."""
    text = store.open_store().get_raw(store.CACC_KEY)
    if text and text != system.read_text(paths.CACC_INI):
        system.write_text(paths.CACC_INI, text)
        return True
    return False


class VolumeDriverRecord:
    """A volume driver unit's part of the not-served record (``ovs_emulator.served``): its vDisks
    are served again once it runs and the model could be read (retried every SYNC_INTERVAL)."""

    def __init__(self, name):
        self.name, self.vpool = name, name[len(served.VOLUMEDRIVER_PREFIX):]
        self.machine_id = (system.read_text(paths.OVS_ID) or "").strip()
        self.vdisks, self.pending = [], True
        self.refresh()

    def refresh(self):
        try:
            self.vdisks = served.served_vdisks(store.open_store(), self.machine_id, self.vpool)
        except store.StoreError:
            return
        if self.pending:
            served.record(self.vpool, self.vdisks, True)
            self.pending = False

    def stopped(self):
        served.volumedriver_event(self.name, self.machine_id, False, cached=self.vdisks)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="ovs_emulator.daemon")
    parser.add_argument("--name", required=True)
    parser.add_argument("--listen", type=int, action="append", default=[])
    parser.add_argument("--sync-cacc", action="store_true")
    args = parser.parse_args(argv)
    volumedriver = VolumeDriverRecord(args.name) if args.name.startswith(served.VOLUMEDRIVER_PREFIX) else None
    signal.signal(signal.SIGTERM, lambda *_: (volumedriver and volumedriver.stopped(), sys.exit(0)))
    for port in args.listen:
        threading.Thread(target=_serve, args=(port,), daemon=True).start()
    print(f"{args.name} started", flush=True)
    while True:
        if volumedriver:
            volumedriver.refresh()
        if args.sync_cacc:
            try:
                if sync_cacc():
                    print(f"{args.name}: refreshed {paths.CACC_INI}", flush=True)
            except store.StoreError as exc:
                print(f"{args.name}: {exc}", flush=True)
        time.sleep(SYNC_INTERVAL)


if __name__ == "__main__":
    main()
