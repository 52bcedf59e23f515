// libmilter's smfi_main starts a thread of its own that calls sigwait() for SIGHUP, SIGTERM and
// SIGINT and stops the milter on any of them: SIGHUP included, with no drain. Steward owns those
// signals (SIGHUP reloads the policy, SIGTERM drains, ProcessSignals waits for them on the main
// thread), but a signal that arrives while the main thread is not waiting — during a reload, say
// — went to libmilter's thread, and the milter stopped: a reload storm drill stopped it after
// seven reloads. libmilter has no setting for this, so Steward defines sigwait() itself: the
// executable's definition comes first in symbol lookup, also for libmilter.so's call. The set
// libmilter waits on makes its thread sleep for good (the signals stay pending for Steward's
// sigtimedwait); any other caller gets sigwait's usual behaviour, built on sigtimedwait.
#include "steward_signals.h"
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <unistd.h>

static int is_libmilter_set(const sigset_t *set) {
    return sigismember(set, SIGHUP) == 1 && sigismember(set, SIGTERM) == 1 && sigismember(set, SIGINT) == 1;
}

int sigwait(const sigset_t *set, int *sig) {
    if (is_libmilter_set(set)) {
        for (;;) pause();  // the signals it asked for stay blocked here, so only a handler wakes it
    }
    int got;
    do {
        got = sigtimedwait(set, NULL, NULL);
    } while (got < 0 && errno == EINTR);
    if (got < 0) return errno;
    *sig = got;
    return 0;
}

int steward_signals_owned(void) { return 1; }
