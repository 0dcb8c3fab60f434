# -*- coding: utf-8 -*-
"""A plain HTTP server on 127.0.0.1 that serves files from a dict (path -> text), for the modules that read
from the OVS repository on the node (GET and HEAD; any other path is a 404). It counts the requests."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import threading

from http.server import BaseHTTPRequestHandler, HTTPServer


class FileServer(object):
    """``files``: {path: text}, changeable while it serves; ``url``: its base URL; ``requests``: [(method, path)]."""

    def __init__(self, files=None):
        owner = self
        self.files = dict(files or {})
        self.requests = []

        class Handler(BaseHTTPRequestHandler):
            def answer(self, with_body):
                owner.requests.append((self.command, self.path))
                if self.path not in owner.files:
                    self.send_error(404)
                    return
                body = owner.files[self.path].encode('utf-8')
                self.send_response(200)
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                if with_body:
                    self.wfile.write(body)

            def do_GET(self):
                self.answer(True)

            def do_HEAD(self):
                self.answer(False)

            def log_message(self, *args):
                pass

        self.httpd = HTTPServer(('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%d' % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever)
        self.thread.daemon = True
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
