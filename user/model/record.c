/* Names of record kinds, shared by every view. */
#include "model/record.h"

const char *record__kind_name(enum tt_rec_kind kind)
{
	switch (kind) {
	case TT_REC_TRACE: return "trace";
	case TT_REC_ALIVE: return "alive";
	case TT_REC_START: return "start";
	case TT_REC_RENAME: return "rename";
	case TT_REC_EXEC: return "exec";
	case TT_REC_JOIN: return "join";
	case TT_REC_EXIT: return "exit";
	case TT_REC_END: return "end";
	case TT_REC_LOST: return "lost";
	case TT_REC_WAIT: return "wait";
	case TT_REC_HOLD: return "hold";
	case TT_REC_DEADLOCK: return "deadlock";
	case TT_REC_FORK: return "fork";
	}
	return "?";
}
