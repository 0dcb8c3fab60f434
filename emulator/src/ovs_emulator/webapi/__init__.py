"""Emulated Open vStorage framework REST API (``ovs-webapp-api``).

Run as ``python3 -m ovs_emulator.webapi [--bind IP] [--port N] [--cert FILE] [--key FILE]``.
All state lives in the configuration store (model under ``/ovsdb/``), so every master
serves the same cluster.
"""
from .server import Application, ApiServer, make_server

__all__ = ["Application", "ApiServer", "make_server"]
