#pragma once

/// 1: this process's sigwait is Steward's (see steward_signals.c). Called once at start-up so
/// the definition is certainly linked in.
int steward_signals_owned(void);

/// Marks the process's SIGHUP, SIGTERM, SIGINT and SIGUSR1 as Steward's (ProcessSignals.take):
/// from then on a thread waiting in epoll_pwait keeps them blocked (see steward_signals.c).
void steward_signals_own(void);
