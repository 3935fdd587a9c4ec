/**
 * Event kinds the World schedules. Values are part of the trace hash: append,
 * never renumber. For link events `c` = slot * 2 + the receiving end's side
 * (0 dialer, 1 acceptor).
 */
export const EV_START = 1; // a = host
export const EV_TIMER = 2; // a = host, c = tag, d = host epoch
export const EV_SYN = 3; // a = dialer, b = acceptor, c = end
export const EV_SYNACK = 4; // a = acceptor, b = dialer, c = end
export const EV_DIAL_FAIL = 5; // a = acceptor, b = dialer, c = end, d = reason code
export const EV_DELIVER = 6; // a = src, b = dst, c = end, d = (type << 24) | size
export const EV_FIN = 7; // a = closer, b = other host, c = end
export const EV_ACTION = 8; // payload = scenario action callback
export const EV_RST = 9; // a = host that had no open end, b = peer host, c = end
export const EV_DATAGRAM = 10; // a = src, b = dst, d = (type << 24) | size; a LAN beacon
