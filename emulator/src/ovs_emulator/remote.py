"""SSH to the other nodes: the files a joining node reads from the master (paramiko, root +
master password, as the real ``ovs setup``) and the reachability probe of ``ovs remove node``
and ``ovs setup demote <ip>`` (the real ``SSHClient(ip, timeout=...)``)."""
import socket

SSH_PORT = 22
PROBE_TIMEOUT = 3.0  # a stopped container: no ARP answer, "No route to host" within ~3 s
CONNECTED = "Successfully connected"
UNABLE = "Unable to connect"
TIMED_OUT = "Connection timed out"


class ConnectError(Exception):
    pass


def fetch_files(ip, password, filenames, timeout=15):
    """{filename: text} of ``filenames`` read over SFTP from ``ip`` as root."""
    import paramiko  # Debian's python3-paramiko, only needed when joining a cluster

    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    try:
        client.connect(ip, username="root", password=password, timeout=timeout,
                       allow_agent=False, look_for_keys=False)
    except paramiko.AuthenticationException:
        raise ConnectError(f"Could not connect to master node {ip} as root: authentication "
                           "failed, the master_password is not correct") from None
    except (paramiko.SSHException, OSError) as exc:
        raise ConnectError(f"Could not connect to master node {ip} over SSH: {exc}") from None
    try:
        sftp = client.open_sftp()
        files = {}
        for filename in filenames:
            try:
                with sftp.open(filename) as handle:
                    files[filename] = handle.read().decode()
            except IOError:
                raise ConnectError(f"Could not load {filename} from master node {ip}. "
                                   "Is that node running correctly?") from None
        return files
    finally:
        client.close()


def connection_state(ip, timeout=PROBE_TIMEOUT):
    """How an SSH connection to ``ip`` goes: ``CONNECTED`` when its SSH server greets,
    ``TIMED_OUT`` or ``UNABLE`` (refused, no route, no SSH server) otherwise."""
    try:
        with socket.create_connection((ip, SSH_PORT), timeout=timeout) as connection:
            greeting = connection.recv(4)
    except socket.timeout:
        return TIMED_OUT
    except OSError:
        return UNABLE
    return CONNECTED if greeting == b"SSH-" else UNABLE
