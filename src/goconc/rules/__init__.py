"""The rule families. Registration is explicit: every rule module is listed here."""

RULE_MODULES = [
    # GC0xxx: findings the engine itself makes
    "goconc.rules.engine.parse_error",
    "goconc.rules.engine.unused_suppression",
    "goconc.rules.engine.malformed_suppression",
    "goconc.rules.engine.internal_error",
    # GC1xxx: goroutine lifecycle
    "goconc.rules.goroutine.test_fatal_in_goroutine",
    "goconc.rules.goroutine.leaked_sender",
    "goconc.rules.goroutine.stranded_receiver",
    # GC2xxx: sync.WaitGroup
    "goconc.rules.waitgroup.add_in_goroutine",
    "goconc.rules.waitgroup.done_not_deferred",
    "goconc.rules.waitgroup.wait_in_goroutine",
    "goconc.rules.waitgroup.wait_in_loop",
    "goconc.rules.waitgroup.wait_before_receive",
    "goconc.rules.waitgroup.count_mismatch",
    # GC3xxx: locks
    "goconc.rules.mutex.copied_lock",
    "goconc.rules.mutex.lock_not_released",
    "goconc.rules.mutex.defer_lock_after_lock",
    "goconc.rules.mutex.mismatched_unlock",
    "goconc.rules.mutex.empty_critical_section",
    "goconc.rules.mutex.double_lock",
    "goconc.rules.mutex.deferred_unlock_in_loop",
    "goconc.rules.mutex.lock_order_inversion",
    "goconc.rules.mutex.lock_held_while_waiting",
    "goconc.rules.mutex.cond_wait_not_in_loop",
    # GC4xxx: channels
    "goconc.rules.channel.channel_closed_twice",
    "goconc.rules.channel.send_on_closed_channel",
    "goconc.rules.channel.nil_channel",
    "goconc.rules.channel.time_after_in_loop",
    # GC5xxx: contexts
    "goconc.rules.context.lost_cancel_field",
    # GC7xxx: data races found in the source
    "goconc.rules.race.concurrent_map_write",
    "goconc.rules.race.concurrent_append",
    "goconc.rules.race.shared_variable_write",
    "goconc.rules.race.loop_variable_capture",
    "goconc.rules.race.mixed_atomic_access",
    "goconc.rules.race.inconsistent_field_locking",
    # GC9xxx: found at run time by `goconc race` (and `goconc explain`), not by `goconc check`
    "goconc.rules.runtime.data_race",
    "goconc.rules.runtime.deadlock",
    "goconc.rules.runtime.goroutine_leak",
    "goconc.rules.runtime.concurrent_map_access",
    "goconc.rules.runtime.closed_channel_misuse",
    "goconc.rules.runtime.waitgroup_misuse",
    "goconc.rules.runtime.unlock_of_unlocked",
]
