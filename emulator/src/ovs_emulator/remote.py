"""SSH to the master node, as the real ``ovs setup`` does (paramiko, root + master password)."""


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
