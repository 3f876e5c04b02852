"""Uploaded data sets, kept in memory under a name sessions can choose ("upload:<id>").

Bounded: the oldest upload is forgotten when more than `capacity` are held.
"""
import secrets
import threading
from collections import OrderedDict

PREFIX = "upload:"


class UploadStore:
    def __init__(self, capacity: int = 32):
        self._capacity = capacity
        self._datasets: OrderedDict = OrderedDict()
        self._lock = threading.Lock()  # uploads arrive on REST threads, sessions read on theirs

    def add(self, dataset) -> str:
        name = PREFIX + secrets.token_urlsafe(9)
        dataset.name = name
        with self._lock:
            self._datasets[name] = dataset
            while len(self._datasets) > self._capacity:
                self._datasets.popitem(last=False)
        return name

    def get(self, name: str):
        with self._lock:
            return self._datasets.get(name)
