"""Sessions outlive their sockets for a grace period, then are closed and forgotten."""
import pytest

from server.live.manager import SessionManager
from server.live.training import CpuBudget
from server.protocol import ProtocolError
from server.settings import Quotas, Settings


def test_a_detached_session_waits_for_its_tab_then_is_reaped():
    manager = SessionManager(Settings(resume_grace_seconds=10))
    session = manager.create("10.0.0.1")
    outlet = object()
    session.attach(outlet, greet=False)
    session.detach(outlet)
    detached = session.detached_at
    assert manager.reap(at=detached + 9) == 0 and manager.find(session.token) is session
    assert manager.reap(at=detached + 11) == 1 and manager.find(session.token) is None


def test_an_attached_session_is_never_reaped():
    manager = SessionManager(Settings(resume_grace_seconds=0))
    session = manager.create("10.0.0.1")
    session.attach(object(), greet=False)
    assert manager.reap(at=1e12) == 0  # however late


def test_sessions_per_client_are_counted_per_address():
    manager = SessionManager(Settings(quotas=Quotas(max_sessions_per_client=2)))
    manager.create("10.0.0.1"), manager.create("10.0.0.1"), manager.create("10.0.0.2")
    with pytest.raises(ProtocolError) as refused:
        manager.create("10.0.0.1")
    assert refused.value.code == "quota_exceeded"


def test_the_cpu_budget_is_shared_by_running_sessions():
    class Loop:
        counted = False
    budget, first, second = CpuBudget(1.0), Loop(), Loop()
    budget.enter(first), budget.enter(first), budget.enter(second)
    assert budget.share() == 0.5  # entering twice counts once
    budget.leave(first), budget.leave(first)
    assert budget.share() == 1.0


def test_only_a_detached_session_can_be_resumed():
    manager = SessionManager(Settings())
    session = manager.create("10.0.0.1")
    outlet = object()
    session.attach(outlet, greet=False)
    with pytest.raises(ProtocolError) as in_use:  # a duplicated tab, while the original is open
        manager.resumable(session.token)
    assert in_use.value.code == "session_in_use" and in_use.value.field == "session"
    session.detach(outlet)  # the original closed its socket (a reload does this first)
    assert manager.resumable(session.token) is session
    with pytest.raises(ProtocolError) as unknown:
        manager.resumable("no-such-token-at-all")
    assert unknown.value.code == "unknown_session" and unknown.value.field == "session"
