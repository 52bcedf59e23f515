#pragma once

/// 1: this process's sigwait is Steward's (see steward_signals.c). Called once at start-up so
/// the definition is certainly linked in.
int steward_signals_owned(void);
