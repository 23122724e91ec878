/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one place that talks libnl: a NETLINK_ROUTE socket, raw RTM_GET* dumps
 * with our own message callback (libnl 3.7's route cache merges routes that
 * differ only by interface), and NLE_* -> -errno. */
#include <net/if.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <string.h>

#include "netstate-internal.h"

int netstate_errno_from_nl(int nl_error) {
        switch (nl_error < 0 ? -nl_error : nl_error) {
        case NLE_SUCCESS:
                return 0;
        case NLE_NOMEM:
                return -ENOMEM;
        case NLE_PERM:
        case NLE_IMMUTABLE:
                return -EPERM;
        case NLE_NOACCESS:
                return -EACCES;
        case NLE_AGAIN:
        case NLE_DUMP_INTR:
                return -EAGAIN;
        case NLE_INTR:
                return -EINTR;
        case NLE_BAD_SOCK:
                return -EBADF;
        case NLE_INVAL:
                return -EINVAL;
        case NLE_RANGE:
                return -ERANGE;
        case NLE_MSGSIZE:
        case NLE_MSG_TRUNC:
                return -EMSGSIZE;
        case NLE_OPNOTSUPP:
        case NLE_SRCRT_NOSUPPORT:
                return -EOPNOTSUPP;
        case NLE_AF_NOSUPPORT:
                return -EAFNOSUPPORT;
        case NLE_OBJ_NOTFOUND:
                return -ENOENT;
        case NLE_NOATTR:
                return -ENODATA;
        case NLE_NODEV:
                return -ENODEV;
        case NLE_BUSY:
                return -EBUSY;
        case NLE_EXIST:
                return -EEXIST;
        case NLE_NOADDR:
                return -EADDRNOTAVAIL;
        case NLE_PROTO_MISMATCH:
                return -EPROTONOSUPPORT;
        case NLE_SEQ_MISMATCH:
        case NLE_MSG_OVERFLOW:
        case NLE_MSG_TOOSHORT:
        case NLE_PARSE_ERR:
                return -EBADMSG;
        default:
                return -EIO;
        }
}

int netstate_attr_u32(const struct nlattr *a, uint32_t *ret) {
        if (!a || nla_len(a) < (int) sizeof(uint32_t))
                return -ENODATA;
        *ret = nla_get_u32((struct nlattr *) a);
        return 0;
}

int netstate_attr_u16(const struct nlattr *a, uint16_t *ret) {
        if (!a || nla_len(a) < (int) sizeof(uint16_t))
                return -ENODATA;
        *ret = nla_get_u16((struct nlattr *) a);
        return 0;
}

int netstate_attr_u8(const struct nlattr *a, uint8_t *ret) {
        if (!a || nla_len(a) < (int) sizeof(uint8_t))
                return -ENODATA;
        *ret = nla_get_u8((struct nlattr *) a);
        return 0;
}

/* Copies a string attribute; -EINVAL when it does not fit or is empty. */
int netstate_attr_str(const struct nlattr *a, char *buf, size_t size) {
        if (!a)
                return -ENODATA;
        const char *p = nla_data(a);
        size_t n = strnlen(p, (size_t) nla_len(a));
        if (n == 0 || n >= size)
                return -EINVAL;
        memcpy(buf, p, n);
        buf[n] = '\0';
        return 0;
}

int netstate_attr_hwaddr(const struct nlattr *a, uint8_t *buf, uint8_t *ret_len) {
        if (!a)
                return -ENODATA;
        int n = nla_len(a);
        if (n <= 0 || n > (int) NETSTATE_HWADDR_MAX)
                return -EINVAL;
        memcpy(buf, nla_data(a), (size_t) n);
        *ret_len = (uint8_t) n;
        return 0;
}

/* An address of the given family: exactly its length. */
int netstate_attr_ip(const struct nlattr *a, int family, uint8_t buf[static 16]) {
        size_t n = netstate_family_len(family);
        if (!a)
                return -ENODATA;
        if (n == 0 || nla_len(a) != (int) n)
                return -EINVAL;
        memset(buf, 0, 16);
        memcpy(buf, nla_data(a), n);
        return 0;
}

int netstate_netlink_open(struct nl_sock **ret) {
        struct nl_sock *sk = nl_socket_alloc();
        if (!sk)
                return -ENOMEM;
        int r = nl_connect(sk, NETLINK_ROUTE);
        if (r < 0) {
                nl_socket_free(sk);
                return netstate_errno_from_nl(r);
        }
        /* Dumps of big tables come in large multipart messages: peek at each
         * datagram's size rather than guess a buffer. */
        nl_socket_enable_msg_peek(sk);
        *ret = sk;
        return 0;
}

void netstate_netlink_close(struct nl_sock *sk) {
        if (sk)
                nl_socket_free(sk);
}

typedef struct DumpContext {
        int family;
        netstate_msg_fn fn;
        NetState *state;
        int error;
} DumpContext;

static int on_valid(struct nl_msg *msg, void *userdata) {
        DumpContext *c = userdata;
        /* After an error keep reading to the end of the dump (NL_SKIP), so the
         * socket holds nothing stale for the next request. */
        if (c->error < 0)
                return NL_SKIP;
        /* A kernel without a handler for the family answers with every
         * family's objects; the family is the first byte of all four headers. */
        struct nlmsghdr *nlh = nlmsg_hdr(msg);
        if (c->family != AF_UNSPEC && nlmsg_datalen(nlh) >= 1 && *(const uint8_t *) nlmsg_data(nlh) != c->family)
                return NL_SKIP;
        int r = c->fn(c->state, nlh);
        if (r < 0)
                c->error = r;
        return NL_OK;
}

static void nl_cb_putp(struct nl_cb **cb) {
        if (*cb)
                nl_cb_put(*cb);
}

int netstate_netlink_dump(struct nl_sock *sk, int type, int family, netstate_msg_fn fn, NetState *s) {
        union {
                struct ifinfomsg link;
                struct ifaddrmsg addr;
                struct rtmsg route;
                struct fib_rule_hdr rule;
        } hdr = {};
        size_t hdr_len;

        switch (type) {
        case RTM_GETLINK:
                hdr.link.ifi_family = (unsigned char) family;
                hdr_len = sizeof(hdr.link);
                break;
        case RTM_GETADDR:
                hdr.addr.ifa_family = (unsigned char) family;
                hdr_len = sizeof(hdr.addr);
                break;
        case RTM_GETROUTE:
                hdr.route.rtm_family = (unsigned char) family;
                hdr_len = sizeof(hdr.route);
                break;
        case RTM_GETRULE:
                hdr.rule.family = (unsigned char) family;
                hdr_len = sizeof(hdr.rule);
                break;
        default:
                return -EINVAL;
        }

        /* nl_socket_get_cb() hands out a reference of its own. */
        _cleanup_(nl_cb_putp) struct nl_cb *base = nl_socket_get_cb(sk);
        _cleanup_(nl_cb_putp) struct nl_cb *cb = base ? nl_cb_clone(base) : NULL;
        if (!cb)
                return -ENOMEM;
        DumpContext c = { .family = family, .fn = fn, .state = s };
        int r = nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &c);
        if (r < 0)
                return netstate_errno_from_nl(r);

        r = nl_send_simple(sk, type, NLM_F_DUMP, &hdr, hdr_len);
        if (r < 0)
                return netstate_errno_from_nl(r);
        r = nl_recvmsgs(sk, cb);
        if (c.error < 0)
                return c.error;
        /* -NLE_DUMP_INTR (NLM_F_DUMP_INTR seen) becomes -EAGAIN: the caller
         * restarts the whole capture. */
        return r < 0 ? netstate_errno_from_nl(r) : 0;
}

typedef struct RequestContext {
        int error;
        bool answered;
} RequestContext;

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *userdata) {
        RequestContext *c = userdata;
        c->error = e->error < 0 ? e->error : -EIO;
        c->answered = true;
        return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *userdata) {
        RequestContext *c = userdata;
        c->answered = true;
        return NL_STOP;
}

int netstate_netlink_request(struct nl_sock *sk, struct nl_msg *msg) {
        _cleanup_(nl_cb_putp) struct nl_cb *base = nl_socket_get_cb(sk);
        _cleanup_(nl_cb_putp) struct nl_cb *cb = base ? nl_cb_clone(base) : NULL;
        RequestContext c = {};
        int r;

        if (!cb) {
                nlmsg_free(msg);
                return -ENOMEM;
        }
        /* Our own error callback: libnl would turn the kernel's errno into
         * an NLE_* code and lose it (ENETUNREACH, ESRCH... all become one). */
        if (nl_cb_err(cb, NL_CB_CUSTOM, on_error, &c) < 0 ||
            nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &c) < 0) {
                nlmsg_free(msg);
                return -ENOMEM;
        }
        nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_ACK;
        r = nl_send_auto(sk, msg);
        nlmsg_free(msg);
        if (r < 0)
                return netstate_errno_from_nl(r);
        while (!c.answered) {
                r = nl_recvmsgs(sk, cb);
                if (c.error < 0)
                        return c.error;
                if (r < 0)
                        return netstate_errno_from_nl(r);
        }
        return 0;
}
