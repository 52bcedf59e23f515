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
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

// Set by steward_signals_own() once serve's main thread has blocked the signals it owns.
static volatile sig_atomic_t owned = 0;

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

void steward_signals_own(void) { owned = 1; }

// swift-subprocess (sendmail for releases and notices) watches its children from a thread of
// its own that waits in epoll_pwait() with an empty signal mask: while it waits every signal is
// unblocked there, so a SIGHUP or SIGTERM that arrived while Steward's main thread was not
// waiting went to that thread, where the default action ended the process at once (a reload
// killed the milter; the reload-storm drill lost it one run in three). Once Steward owns its
// signals, this definition (found before libc's, like sigwait's) adds them to any mask a
// caller waits with; other signals (SIGCHLD, which that thread may wait for) are as asked.
int epoll_pwait(int epfd, struct epoll_event *events, int maxevents, int timeout, const sigset_t *sigmask) {
    sigset_t mask;
    if (sigmask != NULL && owned) {
        mask = *sigmask;
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGUSR1);
        sigmask = &mask;
    }
    return (int)syscall(SYS_epoll_pwait, epfd, events, maxevents, timeout, sigmask, (size_t)(_NSIG / 8));
}
