# -*- coding: utf-8 -*-
"""In-process HTTPS server that answers like the Open vStorage framework API.

Shapes follow shared/ovs-reference.md section 5: the Accept version header,
the token endpoint (password and client credentials grants, 5 calls a minute
then 429), bearer tokens, error bodies, paged lists with ``contents`` and
``query``, tasks.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import datetime
import json
import os
import ssl
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
import ipaddress


def make_certificate(directory, ip=u'127.0.0.1'):
    """Self-signed certificate for ``ip`` (default 127.0.0.1) / localhost; returns (cert_path, key_path)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, u'fake-ovs-api')])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(u'localhost'),
                                                        x509.IPAddress(ipaddress.ip_address(ip))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path = os.path.join(directory, 'api.crt')
    key_path = os.path.join(directory, 'api.key')
    with open(cert_path, 'wb') as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, 'wb') as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return cert_path, key_path


class FakeOvs(object):
    """State of the fake framework."""

    def __init__(self):
        self.lock = threading.Lock()
        self.users = {'admin': 'admin'}
        self.clients = {'c1d2e3f4-0000-4000-8000-000000000001': 'Secret0123456789Secret0123456789'}
        self.tokens = {}  # token -> expiry
        self.token_calls = []  # times
        self.requests = []  # (method, path, headers dict)
        self.token_lifetime = {'password': 43200, 'client_credentials': 3600}
        self.storagerouters = []
        self.tasks = {}  # id -> list of states to hand out in order
        self.page_size = None
        self.plugins = {'alba': ['gui', 'api']}
        self.cluster_id = 'Cl0st3rId0123456'

    def add_storagerouter(self, name, ip, machine_id, node_type='MASTER', status='OK'):
        guid = str(uuid.uuid4())
        self.storagerouters.append(dict(guid=guid, name=name, ip=ip, machine_id=machine_id, node_type=node_type,
                                        status=status, rdma_capable=False,
                                        partition_config={'BACKEND': [], 'DB': [], 'DTL': [], 'SCRUB': [],
                                                          'WRITE': []},
                                        disks_guids=[], storagedrivers_guids=[], vpools_guids=[]))
        return guid

    def add_controllers(self, count):
        """Guids of the storage routers ctl01, ctl02, ... (172.30.250.11, ..., machine ids MaChInE0000000ct1, ...)."""
        return [self.add_storagerouter('ctl0{0}'.format(n), '172.30.250.1{0}'.format(n), 'MaChInE0000000ct{0}'.format(n))
                for n in range(1, count + 1)]


def restrict(item, contents):
    """``item`` as read with ``contents``, stricter than the API: only ``guid`` and the fields named.

    The API always adds the properties; here a module must name every field it reads, so a read that
    misses one fails its test.  A relation is named as the API names it (``vpool`` for ``vpool_guid``,
    ``osds`` for ``osds_guids``); ``_dynamics`` or ``_relations`` (or no ``contents``) give everything.
    """
    if contents is None or not isinstance(item, dict):
        return item
    names = set(contents.split(','))
    if names & set(['_dynamics', '_relations']):
        return item
    kept = {'guid': item.get('guid')}
    for key, value in item.items():
        relation = key.rsplit('_', 1)[0] if key.endswith('_guid') or key.endswith('_guids') else None
        if key in names or relation in names:
            kept[key] = value
    return kept


class Handler(BaseHTTPRequestHandler):
    server_version = 'nginx'
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):  # silence
        pass

    @property
    def ovs(self):
        return self.server.ovs

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _object(self, item, query):
        """200 with one object as read with the request's ``contents`` (see restrict)."""
        return self._send(200, restrict(item, query.get('contents')))

    def _error(self, status, error, description):
        self._send(status, {'error': error, 'error_description': description})

    def _body(self):
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length).decode() if length else ''

    def do_GET(self):
        self._handle('GET')

    def do_POST(self):
        self._handle('POST')

    def do_DELETE(self):
        self._handle('DELETE')

    def _handle(self, method):
        url = urlsplit(self.path)
        path = url.path
        query = dict((k, v[0]) for k, v in parse_qs(url.query, keep_blank_values=True).items())
        body = self._body()
        with self.ovs.lock:
            self.ovs.requests.append((method, self.path, dict(self.headers.items())))
        if not path.endswith('/'):
            return self._error(404, 'not_found', 'trailing slash required')
        if path == '/api/':
            return self._send(200, {'release': {'name': 'fargo'}, 'authenticated': False,
                                    'identification': {'cluster_id': self.ovs.cluster_id},
                                    'storagerouter_ips': [r['ip'] for r in self.ovs.storagerouters],
                                    'versions': [6, 7, 8, 9, 10], 'plugins': self.ovs.plugins})
        if path == '/api/oauth2/token/' and method == 'POST':
            return self._token(body)
        accept = self.headers.get('Accept', '')
        if 'version=' not in accept:
            return self._error(406, 'missing_header', "The version required by the client should be added to the "
                                                      "Accept header. E.g.: 'Accept: application/json; version=1'")
        version = accept.split('version=')[1].split(';')[0].strip()
        if version != '*' and (not version.isdigit() or not 6 <= int(version) <= 10):
            return self._error(426, 'invalid_version', 'The requested version is not supported')
        auth = self.headers.get('Authorization', '')
        if not auth.startswith('Bearer '):
            return self._error(401, 'not_authenticated', 'Authentication credentials were not provided')
        token = auth[len('Bearer '):]
        expiry = self.ovs.tokens.get(token)
        if expiry is None:
            return self._error(401, 'invalid_token', 'Token could not be found')
        if expiry < time.time():
            return self._error(401, 'token_expired', 'Token has expired')
        return self._api(method, path, query, body)

    def _token(self, body):
        ovs = self.ovs
        now = time.time()
        with ovs.lock:
            recent = [t for t in ovs.token_calls if t > now - 60]
            ovs.token_calls.append(now)
        if len(recent) >= 5:
            return self._error(429, 'rate_limit_reached', 'Rate limit reached, try again in 60 seconds')
        form = dict((k, v[0]) for k, v in parse_qs(body).items())
        grant = form.get('grant_type')
        if grant == 'password':
            if ovs.users.get(form.get('username')) != form.get('password') or form.get('password') is None:
                return self._error(400, 'invalid_client', 'Invalid username or password')
        elif grant == 'client_credentials':
            auth = self.headers.get('Authorization', '')
            if not auth.startswith('Basic '):
                return self._error(400, 'invalid_request', 'Missing client credentials')
            client_id, dummy, secret = base64.b64decode(auth[6:]).decode().partition(':')
            if ovs.clients.get(client_id) != secret:
                return self._error(400, 'invalid_client', 'Invalid client credentials')
        else:
            return self._error(400, 'unsupported_grant_type', 'Invalid grant type')
        token = uuid.uuid4().hex + uuid.uuid4().hex[:11]
        lifetime = ovs.token_lifetime[grant]
        ovs.tokens[token] = now + lifetime
        return self._send(200, {'access_token': token, 'token_type': 'bearer', 'expires_in': lifetime})

    def _list(self, items, query):
        if 'query' in query:
            spec = json.loads(query['query'])
            for field, op, value in spec['items']:
                assert op == 'EQUALS'
                items = [i for i in items if i.get(field) == value]
        if 'contents' in query:
            data = [restrict(i, query['contents']) for i in items]
        else:
            data = [i['guid'] for i in items]
        total = len(data)
        size = self.ovs.page_size or max(total, 1)
        page = int(query.get('page', 1))
        max_page = max(1, -(-total // size))
        chunk = data[(page - 1) * size:page * size]
        return self._send(200, {'data': chunk,
                                '_paging': {'total_items': total, 'current_page': page, 'max_page': max_page,
                                            'page_size': size, 'start_number': (page - 1) * size + 1,
                                            'end_number': (page - 1) * size + len(chunk)},
                                '_contents': query.get('contents'), '_sorting': ['name']})

    def _api(self, method, path, query, body):
        ovs = self.ovs
        if path == '/api/storagerouters/' and method == 'GET':
            return self._list(sorted(ovs.storagerouters, key=lambda r: r['name']), query)
        if path.startswith('/api/storagerouters/') and method == 'GET':
            guid = path.split('/')[3]
            for router in ovs.storagerouters:
                if router['guid'] == guid:
                    return self._object(router, query)
            return self._error(404, 'object_not_found', 'The requested object could not be found')
        if path == '/api/domains/' and method == 'POST':
            data = json.loads(body or '{}')
            if 'name' not in data:
                return self._error(406, 'invalid_data', 'Invalid data passed: name is missing')
            return self._send(201, {'guid': str(uuid.uuid4()), 'name': data['name']})
        if path.startswith('/api/tasks/') and method == 'GET':
            task_id = path.split('/')[3]
            states = ovs.tasks.get(task_id)
            if states is None:
                return self._error(404, 'object_not_found', 'The requested object could not be found')
            state = states.pop(0) if len(states) > 1 else states[0]
            return self._send(200, dict(id=task_id, **state))
        return self._error(404, 'not_found', 'Not found')


class FakeApiServer(object):
    """The fake API on ``host`` (default 127.0.0.1; another loopback address such as 127.0.0.2 is another
    host), on a free port, by default over TLS with a certificate of its own CA."""

    def __init__(self, directory, tls=True, ovs=None, handler=Handler, host='127.0.0.1'):
        self.ovs = FakeOvs() if ovs is None else ovs
        self.host = host
        self.httpd = ThreadingHTTPServer((host, 0), handler)
        self.httpd.ovs = self.ovs
        self.httpd.daemon_threads = True
        self.cert_path = None
        if tls:
            self.cert_path, key_path = make_certificate(directory, host)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.cert_path, key_path)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


TASK_SUCCESS = dict(status='SUCCESS', successful=True, failed=False, ready=True, result=True)
TASK_PENDING = dict(status='PENDING', successful=False, failed=False, ready=False, result=None)
TASK_STARTED = dict(status='STARTED', successful=False, failed=False, ready=False, result=None)


def task_failure(text):
    return dict(status='FAILURE', successful=False, failed=True, ready=True, result=text)
