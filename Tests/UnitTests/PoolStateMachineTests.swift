@testable import Postgres
import Testing

/// The pool's rules, without a server or a clock: connections are plain numbers and
/// time is instants the test makes up.
@Suite struct PoolStateMachineTests {
    typealias Machine = PoolStateMachine<Int>
    let start = ContinuousClock.now
    func at(_ seconds: Double) -> ContinuousClock.Instant { start + .seconds(seconds) }

    /// A machine with `lent` connections (1, 2, ...) lent out.
    func machine(max: Int, lent: Int) -> Machine {
        var machine = Machine(maxConnections: max)
        for id in 0..<lent {
            guard case .connect = machine.acquire(waiter: 1000 + id, deadline: at(10)) else {
                Issue.record("expected a new connection")
                return machine
            }
        }
        return machine
    }

    @Test func aBorrowerGetsAnIdleConnectionFirst() {
        var machine = machine(max: 2, lent: 1)
        guard case .keepIdle = machine.release(1, reusable: true) else { Issue.record("not kept"); return }
        guard case .lend(1) = machine.acquire(waiter: 1, deadline: at(10)) else { Issue.record("idle not lent"); return }
        #expect(machine.open == 1)
        #expect(machine.idle.isEmpty)
    }

    @Test func belowCapacityANewConnectionIsOpenedAtCapacityTheBorrowerWaits() {
        var machine = machine(max: 2, lent: 2)
        #expect(machine.open == 2)
        guard case .wait = machine.acquire(waiter: 1, deadline: at(10)) else { Issue.record("did not wait"); return }
        #expect(machine.waiterCount == 1)
        #expect(machine.open == 2)
    }

    @Test func aReturnedConnectionGoesToTheFirstWaiter() {
        var machine = machine(max: 1, lent: 1)
        _ = machine.acquire(waiter: 1, deadline: at(10))
        _ = machine.acquire(waiter: 2, deadline: at(10))
        guard case .lend(7, to: 1) = machine.release(7, reusable: true) else { Issue.record("not lent to waiter 1"); return }
        guard case .lend(7, to: 2) = machine.release(7, reusable: true) else { Issue.record("not lent to waiter 2"); return }
        guard case .keepIdle = machine.release(7, reusable: true) else { Issue.record("not kept"); return }
        #expect(machine.waiterCount == 0)
        #expect(machine.idle == [7])
    }

    @Test func aBrokenConnectionIsClosedAndItsSlotGoesToAWaiter() {
        var machine = machine(max: 1, lent: 1)
        _ = machine.acquire(waiter: 1, deadline: at(10))
        guard case .close(7, then: .grantSlot(to: 1)) = machine.release(7, reusable: false) else {
            Issue.record("the waiter did not get the slot")
            return
        }
        // The slot is counted for the waiter, who opens its connection.
        #expect(machine.open == 1)
        #expect(machine.waiterCount == 0)
        // With nobody waiting the slot is just freed.
        guard case .close(8, then: .none) = machine.release(8, reusable: false) else { Issue.record("not closed"); return }
        #expect(machine.open == 0)
    }

    @Test func anIdleConnectionFoundBrokenIsReplaced() {
        var machine = machine(max: 1, lent: 1)
        _ = machine.release(5, reusable: true)
        guard case .lend(5) = machine.acquire(waiter: 1, deadline: at(10)) else { Issue.record("not lent"); return }
        // The pool found it dead: discarded, and the borrower asks again.
        guard case .none = machine.discard() else { Issue.record("unexpected grant"); return }
        #expect(machine.open == 0)
        guard case .connect = machine.acquire(waiter: 1, deadline: at(10)) else { Issue.record("not replaced"); return }
        #expect(machine.open == 1)
    }

    @Test func aFailedConnectFreesItsSlotForTheNextWaiter() {
        var machine = machine(max: 1, lent: 1)
        _ = machine.acquire(waiter: 1, deadline: at(10))
        guard case .grantSlot(to: 1) = machine.connectFailed() else { Issue.record("slot not passed on"); return }
        guard case .none = machine.connectFailed() else { Issue.record("unexpected grant"); return }
        #expect(machine.open == 0)
    }

    @Test func waitersTimeOutAtTheirDeadlinesInOrder() {
        var machine = machine(max: 1, lent: 1)
        _ = machine.acquire(waiter: 1, deadline: at(1))
        _ = machine.acquire(waiter: 2, deadline: at(2))
        _ = machine.acquire(waiter: 3, deadline: at(2))
        #expect(machine.nextDeadline == at(1))
        let noneDue = machine.expire(now: at(0.5))
        #expect(noneDue == [])
        let firstDue = machine.expire(now: at(1.5))
        #expect(firstDue == [1])
        #expect(machine.nextDeadline == at(2))
        let restDue = machine.expire(now: at(2))
        #expect(restDue == [2, 3])
        #expect(machine.nextDeadline == nil)
        // An expired waiter is no longer served.
        guard case .keepIdle = machine.release(7, reusable: true) else { Issue.record("lent to an expired waiter"); return }
    }

    @Test func aCancelledWaiterIsRemovedAndNeverServed() {
        var machine = machine(max: 1, lent: 1)
        _ = machine.acquire(waiter: 1, deadline: at(1))
        _ = machine.acquire(waiter: 2, deadline: at(2))
        let cancelled = machine.cancel(waiter: 1)
        #expect(cancelled)
        let cancelledAgain = machine.cancel(waiter: 1)
        #expect(cancelledAgain == false)
        #expect(machine.isWaiting(1) == false)
        #expect(machine.nextDeadline == at(2))
        let dueAfterCancel = machine.expire(now: at(1.5))
        #expect(dueAfterCancel == [])
        guard case .lend(7, to: 2) = machine.release(7, reusable: true) else { Issue.record("not lent to waiter 2"); return }
        // A waiter already served or expired cannot be cancelled.
        let result7 = machine.cancel(waiter: 2)
        #expect(result7 == false)
    }

    @Test func closingFailsTheWaitersClosesIdleOnesAndLentOnesOnReturn() {
        var machine = machine(max: 3, lent: 3)
        _ = machine.release(1, reusable: true)
        _ = machine.acquire(waiter: 9, deadline: at(10))  // lent the idle one
        _ = machine.release(1, reusable: true)
        _ = machine.acquire(waiter: 10, deadline: at(10))  // lent again: all three are out
        _ = machine.acquire(waiter: 11, deadline: at(10))
        _ = machine.acquire(waiter: 12, deadline: at(10))
        _ = machine.release(1, reusable: true)  // to waiter 11
        _ = machine.release(2, reusable: true)  // to waiter 12
        _ = machine.release(3, reusable: true)  // idle
        _ = machine.acquire(waiter: 13, deadline: at(10))  // lent 3
        _ = machine.acquire(waiter: 14, deadline: at(10))  // waits
        let (waiters, idle) = machine.close()
        #expect(waiters == [14])
        #expect(idle == [])
        #expect(machine.isClosed)
        guard case .fail(.closed) = machine.acquire(waiter: 15, deadline: at(10)) else { Issue.record("not refused"); return }
        // Lent connections are closed as they come back, healthy or not, and no slot is handed on.
        guard case .close(1, then: .none) = machine.release(1, reusable: true) else { Issue.record("not closed"); return }
        guard case .close(2, then: .none) = machine.release(2, reusable: false) else { Issue.record("not closed"); return }
        guard case .close(3, then: .none) = machine.release(3, reusable: true) else { Issue.record("not closed"); return }
        #expect(machine.open == 0)
    }

    @Test func closingClosesTheIdleConnections() {
        var machine = machine(max: 2, lent: 2)
        _ = machine.release(1, reusable: true)
        _ = machine.release(2, reusable: true)
        let (waiters, idle) = machine.close()
        #expect(waiters.isEmpty)
        #expect(idle.sorted() == [1, 2])
        #expect(machine.open == 0)
    }
}
