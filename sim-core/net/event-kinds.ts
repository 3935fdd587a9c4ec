/** Event kinds the World schedules. Values are part of the trace hash: append, never renumber. */
export const EV_START = 1; // a = host
export const EV_TIMER = 2; // a = host, c = tag, d = host epoch
export const EV_SYN = 3; // a = dialer, b = acceptor, c = conn slot
export const EV_SYNACK = 4; // a = acceptor, b = dialer, c = conn slot
export const EV_DIAL_FAIL = 5; // a = acceptor, b = dialer, c = conn slot, d = reason code
export const EV_DELIVER = 6; // a = src, b = dst, c = conn slot, d = (type << 24) | size
export const EV_FIN = 7; // a = closer, b = other end, c = conn slot
export const EV_ACTION = 8; // payload = scenario action callback
export const EV_STOP = 9; // a = host: orderly stop (crash comes with the underlay issue)
