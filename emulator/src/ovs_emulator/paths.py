"""Every filesystem path the emulator uses.

Paths are read as module attributes (``paths.CACC_INI``) and are prefixed with the
environment variable ``OVS_EMULATOR_ROOT`` at the moment they are read, so tests can point
the emulator at a temporary directory.  ``paths.real(path)`` prefixes any other path.
"""
import os

_PATHS = {
    # framework
    "OVS_ID": "/etc/openvstorage_id",
    "OVS_DIR": "/opt/OpenvStorage",
    "CONFIG_DIR": "/opt/OpenvStorage/config",
    "CACC_INI": "/opt/OpenvStorage/config/arakoon_cacc.ini",
    "FRAMEWORK_JSON": "/opt/OpenvStorage/config/framework.json",
    "PRECONFIG": "/opt/OpenvStorage/config/preconfig.json",
    "SSL_DIR": "/opt/OpenvStorage/config/ssl",
    "SSL_CERT": "/opt/OpenvStorage/config/ssl/server.crt",
    "SSL_KEY": "/opt/OpenvStorage/config/ssl/server.key",
    "ARAKOON_DB": "/opt/OpenvStorage/db/arakoon",
    "ETCD_DATA": "/opt/OpenvStorage/db/arakoon/config",
    "ETCD_ENV": "/etc/default/ovs-arakoon-config",
    "HC_LIB": "/opt/OpenvStorage-healthcheck/lib",
    # ASD manager
    "SDM_ID": "/etc/openvstorage_sdm_id",
    "SDM_DIR": "/opt/asd-manager",
    "SDM_PRECONFIG": "/opt/asd-manager/config/preconfig.json",
    "SDM_FRAMEWORK_JSON": "/opt/asd-manager/config/framework.json",
    "SDM_SSL_DIR": "/opt/asd-manager/config/ssl",
    "SDM_SSL_CERT": "/opt/asd-manager/config/ssl/server.crt",
    "SDM_SSL_KEY": "/opt/asd-manager/config/ssl/server.key",
    "ASD_MOUNT_DIR": "/mnt/alba-asd",
    # node description given by the test bed
    "HARDWARE_JSON": "/etc/ovs-emulator/hardware.json",
    # the node's partition table (written by the node's own ovs-workers)
    "PARTITIONS_JSON": "/var/lib/ovs-emulator/partitions.json",
    "MNT_DIR": "/mnt",
    "SYSTEMD_DIR": "/lib/systemd/system",
    # installed packages / binaries
    "DPKG_STATUS": "/var/lib/dpkg/status",
    "ASD_MANAGER_BIN": "/usr/bin/asd-manager",
    "ALBA_BIN": "/usr/bin/alba",
    "ETCD_BIN": "/usr/bin/etcd",
    # updates (framework ovs/lib/update.py, ovs_extensions/update/base.py)
    "UPDATE_LOG": "/var/log/ovs/update.log",
    "UPDATE_ONGOING": "/etc/update_ongoing",
    "READY_FOR_UPGRADE": "/etc/ready_for_upgrade",
    "UPDATE_LOCK": "/var/lock/ovs_system_update.lock",
    # the not-served record of the vDisks (written by the volumedriver units)
    "VDISK_IO_LOG": "/var/log/ovs/vdisk_io.log",
}


def root():
    return os.environ.get("OVS_EMULATOR_ROOT", "")


def real(path):
    """Return ``path`` (absolute) under the emulator root."""
    return root() + path


def __getattr__(name):
    try:
        return real(_PATHS[name])
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
