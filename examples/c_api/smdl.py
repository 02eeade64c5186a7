"""The smdl engine from Python, through its C API (smdl/c_api.h) and ctypes.

    with Engine("var/db") as engine:
        engine.deploy("desk.smdl")
        ticket = engine.create("Ticket", {"title": "VPN down"}, actor="anna")
        engine.fire(ticket["id"], "take", actor="bob", roles=["agent"])

Results are the engine's JSON, parsed. A failed call raises SmdlError with
the status's name ("failed precondition", ...) and the engine's message.
The library is $SMDL_LIBRARY if set, else the one the system finds as
"smdl", else libsmdl.so.0. Standard library only.
"""

import ctypes
import ctypes.util
import json
import os

__all__ = ["Engine", "SmdlError", "library", "version"]


class SmdlError(Exception):
    """A call that did not return SMDL_OK: its status and message."""

    def __init__(self, status, message, code=None):
        super().__init__(f"{status}: {message}")
        self.status = status    # the status's name, as smdl_status_name gives it
        self.message = message  # the engine's message
        self.code = code        # the smdl_status number


_OUT = ctypes.POINTER(ctypes.c_void_p)  # char** out: read as an address, then freed
_HANDLE = ctypes.c_void_p               # smdl_engine*
_STATUS = ctypes.c_int                  # smdl_status

# name: (argument types, result type), as c_api.h declares them.
_SIGNATURES = {
    "smdl_open": ([ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(_HANDLE), _OUT], _STATUS),
    "smdl_close": ([_HANDLE], None),
    "smdl_deploy": ([_HANDLE, ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t, ctypes.c_char_p, _OUT], _STATUS),
    "smdl_create": ([_HANDLE, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, _OUT], _STATUS),
    "smdl_fire": ([_HANDLE, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, _OUT], _STATUS),
    "smdl_get": ([_HANDLE, ctypes.c_char_p, _OUT], _STATUS),
    "smdl_history": ([_HANDLE, ctypes.c_char_p, _OUT], _STATUS),
    "smdl_list": ([_HANDLE, ctypes.c_char_p, _OUT], _STATUS),
    "smdl_run_due_timers": ([_HANDLE, _OUT], _STATUS),
    "smdl_timers": ([_HANDLE, _OUT], _STATUS),
    "smdl_outbox": ([_HANDLE, ctypes.c_size_t, _OUT], _STATUS),
    "smdl_acknowledge": ([_HANDLE, ctypes.c_uint64, _OUT], _STATUS),
    "smdl_verify": ([_HANDLE, _OUT], _STATUS),
    "smdl_free": ([ctypes.c_void_p], None),
    "smdl_status_name": ([_STATUS], ctypes.c_char_p),
    "smdl_version": ([], ctypes.c_char_p),
}

_library = None


def library():
    """The loaded C library, with every function's types declared."""
    global _library
    if _library is None:
        path = os.environ.get("SMDL_LIBRARY") or ctypes.util.find_library("smdl") or "libsmdl.so.0"
        lib = ctypes.CDLL(path)
        for name, (argtypes, restype) in _SIGNATURES.items():
            function = getattr(lib, name)
            function.argtypes = argtypes
            function.restype = restype
        _library = lib
    return _library


def version():
    """The C library's version."""
    return library().smdl_version().decode("utf-8")


def _text(value):
    """A Python string as the C API takes it; None stays NULL."""
    return None if value is None else value.encode("utf-8")


def _json(value):
    """A Python value as a JSON argument; None stays NULL."""
    return None if value is None else json.dumps(value).encode("utf-8")


def _call_json(actor, roles, idempotency_key, if_version=None):
    """The call_json object with the keys given, or None for none."""
    call = {}
    if actor is not None:
        call["actor"] = actor
    if roles is not None:
        call["roles"] = list(roles)
    if idempotency_key is not None:
        call["idempotency_key"] = idempotency_key
    if if_version is not None:
        call["if_version"] = if_version
    return _json(call) if call else None


def _invoke(function, *args):
    """Calls function(*args, &out), frees out, and returns the parsed result
    or raises SmdlError with the message."""
    lib = library()
    out = ctypes.c_void_p()
    status = function(*args, ctypes.byref(out))
    try:
        text = ctypes.string_at(out.value).decode("utf-8") if out.value else ""
    finally:
        lib.smdl_free(out)
    if status != 0:
        raise SmdlError(lib.smdl_status_name(status).decode("utf-8"), text, status)
    return json.loads(text) if text else None


class Engine:
    """An open engine on a database directory. Use it in a with block, or
    call close(); a closed Engine refuses every call."""

    def __init__(self, directory=None, **options):
        self._handle = None
        if directory is not None:
            self.open(directory, **options)

    def open(self, directory, durability=None, create_if_missing=None, read_only=None):
        """Opens the database in `directory`; durability is "sync" or
        "async". Returns self."""
        if self._handle is not None:
            raise SmdlError("failed precondition", "this Engine is already open")
        options = {}
        if durability is not None:
            options["durability"] = durability
        if create_if_missing is not None:
            options["create_if_missing"] = create_if_missing
        if read_only is not None:
            options["read_only"] = read_only
        handle = _HANDLE()
        _invoke(library().smdl_open, _text(os.fspath(directory)), _json(options) if options else None,
                ctypes.byref(handle))
        self._handle = handle
        return self

    def close(self):
        """Closes the database; closing twice does nothing."""
        if self._handle is not None:
            library().smdl_close(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def _h(self):
        if self._handle is None:
            raise SmdlError("failed precondition", "the Engine is not open")
        return self._handle

    def deploy(self, paths, actor=None, roles=None, idempotency_key=None):
        """Checks and stores the modules at `paths` (one path or a list of
        files and directories) as a new definition version."""
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        encoded = [os.fspath(p).encode("utf-8") for p in paths]
        array = (ctypes.c_char_p * len(encoded))(*encoded)
        return _invoke(library().smdl_deploy, self._h(), array, len(encoded),
                       _call_json(actor, roles, idempotency_key))

    def create(self, type, fields=None, actor=None, roles=None, idempotency_key=None):
        """Creates a record of `type` from a dict of fields; returns it."""
        return _invoke(library().smdl_create, self._h(), _text(type), _json(fields),
                       _call_json(actor, roles, idempotency_key))

    def fire(self, id, event, params=None, actor=None, roles=None, idempotency_key=None, if_version=None):
        """Sends `event` with a dict of parameters to record `id`; returns the
        record after the transition."""
        return _invoke(library().smdl_fire, self._h(), _text(id), _text(event), _json(params),
                       _call_json(actor, roles, idempotency_key, if_version))

    def get(self, id):
        return _invoke(library().smdl_get, self._h(), _text(id))

    def history(self, id):
        """The record's audit entries, oldest first."""
        return _invoke(library().smdl_history, self._h(), _text(id))

    def list(self, type=None, state=None, where=None, after=None, limit=None):
        """Records of a type and state; `where` is a CEL condition."""
        query = {k: v for k, v in (("type", type), ("state", state), ("where", where), ("after", after),
                                   ("limit", limit)) if v is not None}
        return _invoke(library().smdl_list, self._h(), _json(query) if query else None)

    def timers(self):
        """The pending timers, by due time."""
        return _invoke(library().smdl_timers, self._h())

    def run_due_timers(self):
        """Fires the timers due now: {"fired": N}."""
        return _invoke(library().smdl_run_due_timers, self._h())

    def outbox(self, limit=100):
        """Emitted messages not yet acknowledged, oldest first."""
        return _invoke(library().smdl_outbox, self._h(), limit)

    def acknowledge(self, sequence):
        """Acknowledges every message up to sequence number `sequence`."""
        return _invoke(library().smdl_acknowledge, self._h(), sequence)

    def verify(self):
        """Checks the audit chain, the records and the indexes."""
        return _invoke(library().smdl_verify, self._h())
